"""Reading and writing RDF files: formats, atomic output, conversion between formats.

Parsing and re-serialising go through pyoxigraph, which parses 37-52x and
serialises 7-56x faster than rdflib here (shared PERFORMANCE-NOTES) and
streams; rdflib graphs are made only where pySHACL needs one.
"""

from __future__ import annotations

import errno
import glob
import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; stale .part files are left alone
    fcntl = None  # type: ignore[assignment]

if TYPE_CHECKING:  # rdflib is imported where a graph is made: builds do without it
    from rdflib import Graph
    from rdflib.term import Node

from kg.errors import OutputError, RdfSyntaxError, UsageError
from kg.vocab import XSD

# extension -> (name, pyoxigraph format)
FORMATS: dict[str, tuple[str, ox.RdfFormat]] = {
    "ttl": ("Turtle", ox.RdfFormat.TURTLE),
    "nt": ("N-Triples", ox.RdfFormat.N_TRIPLES),
    "nq": ("N-Quads", ox.RdfFormat.N_QUADS),
    "trig": ("TriG", ox.RdfFormat.TRIG),
    "jsonld": ("JSON-LD", ox.RdfFormat.JSON_LD),
    "rdf": ("RDF/XML", ox.RdfFormat.RDF_XML),
    "owl": ("RDF/XML", ox.RdfFormat.RDF_XML),
    "xml": ("RDF/XML", ox.RdfFormat.RDF_XML),
    "n3": ("N3", ox.RdfFormat.N3),
}
OUTPUT_FORMATS = ("ttl", "nt", "nq", "trig", "jsonld", "rdf")
QUAD_FORMATS = {"nq", "trig"}
_XSD_STRING = XSD + "string"


def format_of(path: Path, given: str | None = None) -> str:
    """The format key (``ttl``, ``nt``, ...) given explicitly or by the file's extension.

    :raises UsageError: if it is not one kg knows.
    """
    key = (given or path.suffix.lstrip(".")).lower()
    key = {
        "turtle": "ttl",
        "ntriples": "nt",
        "nquads": "nq",
        "json-ld": "jsonld",
        "json": "jsonld",
        "xml": "rdf",
    }.get(key, key)
    if key not in FORMATS:
        raise UsageError(
            f"{path}: cannot tell the RDF format from the extension "
            f"(use one of .{', .'.join(OUTPUT_FORMATS)}, or --format)"
        )
    return key


def read_quads(paths: Iterable[Path]) -> Iterator[ox.Quad]:
    """Parse RDF files (format from the extension) into one stream of quads.

    :raises RdfSyntaxError: naming the file and the line of the error.
    """
    for path in paths:
        fmt = FORMATS[format_of(path)][1]
        try:
            yield from ox.parse(path=str(path), format=fmt)
        except SyntaxError as e:
            raise RdfSyntaxError(f"{path}: not valid {FORMATS[format_of(path)][0]}: {e}") from None
        except OSError as e:
            raise RdfSyntaxError(f"{path}: cannot read: {e.strerror or e}") from None


def to_rdflib(term: object) -> Node:
    """An rdflib term for a pyoxigraph term (plain strings stay plain, as rdflib parses them)."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise RdfSyntaxError(f"unsupported RDF term {term!r} (RDF-star is not supported)")


def read_store(paths: Iterable[Path]) -> ox.Store:
    """Load RDF files into an in-memory pyoxigraph store: the triples of triples formats
    into its default graph, the quads of N-Quads and TriG into their named graphs.

    :raises RdfSyntaxError: naming the file and the line of the error.
    """
    store = ox.Store()
    for path in paths:
        key = format_of(path)
        try:
            store.bulk_load(path=str(path), format=FORMATS[key][1], to_graph=ox.DefaultGraph())
        except SyntaxError as e:
            raise RdfSyntaxError(f"{path}: not valid {FORMATS[key][0]}: {e}") from None
        except OSError as e:
            raise RdfSyntaxError(f"{path}: cannot read: {e.strerror or e}") from None
    return store


def read_graph(paths: Iterable[Path]) -> Graph:
    """Parse RDF files into one rdflib graph (named graphs merged into it)."""
    from rdflib import Graph

    g = Graph(bind_namespaces="none")
    add = g.add
    for q in read_quads(paths):
        add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return g


class AtomicFile:
    """A file written under a temporary name and moved into place by :meth:`commit`.

    :meth:`abort` removes the temporary file and leaves ``path`` untouched.
    """

    def __init__(self, path: Path, *, binary: bool = False) -> None:
        self.path = path
        self.tmp: str | None = None
        if _special(path):  # /dev/stdout, a named pipe: written as it is, never replaced
            try:
                self.file: Any = open(path, "wb" if binary else "w", **_text_args(binary))
            except OSError as e:
                raise _output_error(path, e) from None
            return
        if path.is_symlink():  # the file the link names is replaced, not the link
            path = self.path = Path(os.path.realpath(path))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, self.tmp = tempfile.mkstemp(
                prefix=f".{path.name}.", suffix=".part", dir=path.parent
            )
        except OSError as e:
            raise _output_error(path, e) from None
        _hold(fd)
        _remove_stale_parts(path, self.tmp)
        try:
            os.chmod(self.tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual permissions
            self.file = os.fdopen(fd, "wb" if binary else "w", **_text_args(binary))
        except BaseException:
            os.close(fd)
            os.unlink(self.tmp)
            raise

    def commit(self) -> None:
        try:  # moved into place while still open (and locked: see _remove_stale_parts)
            self.file.flush()
            if self.tmp is not None:
                os.replace(self.tmp, self.path)
            self.file.close()
        except OSError as e:
            self.abort()
            raise _output_error(self.path, e) from None

    def abort(self) -> None:
        try:
            self.file.close()
        except OSError:
            pass  # a full disk fails the flush of what is left: the file goes anyway
        if self.tmp is None:
            return  # what went to a device or pipe cannot be taken back
        try:
            os.unlink(self.tmp)
        except FileNotFoundError:
            pass


def _text_args(binary: bool) -> dict[str, Any]:
    if binary:
        return {"buffering": 1 << 20}
    return {"encoding": "utf-8", "newline": "\n", "buffering": 1 << 20}


def _special(path: Path) -> bool:
    """Whether ``path`` exists and is not a regular file (a device, a pipe, a socket)."""
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def _hold(fd: int) -> None:
    """Lock our temporary file for as long as it is open (the lock goes with the process)."""
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            pass  # a file system without locks: stale files are then left alone too


def _remove_stale_parts(path: Path, ours: str) -> None:
    """Remove the temporary files of ``path`` that a killed run left (``.{name}.*.part``):
    a run that is still writing holds a lock on its file, so only the dead runs' go."""
    if fcntl is None:
        return
    for part in path.parent.glob(f".{glob.escape(path.name)}.*.part"):
        if str(part) == ours:
            continue
        try:
            with part.open("rb") as f:
                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                part.unlink()
        except OSError:
            continue  # held by a live run, or gone already


@contextmanager
def atomic_output(path: Path, *, binary: bool = False) -> Iterator[Any]:
    """Write a file under a temporary name and move it into place only when complete.

    If the body raises, the temporary file is removed and ``path`` is untouched.
    Yields a text file (UTF-8, ``\\n`` line ends), or a binary one if ``binary``.
    """
    f = AtomicFile(path, binary=binary)
    try:
        yield f.file
    except OSError as e:
        f.abort()
        if e.errno in _OUTPUT_ERRNOS:  # the output's own failures, never an input's
            raise _output_error(path, e) from None
        raise
    except BaseException:
        f.abort()
        raise
    f.commit()


# what writing a file can run into that reading one cannot
_OUTPUT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS}


def _output_error(path: Path, e: OSError) -> OutputError:
    why = e.strerror or str(e)
    return OutputError(f"{path}: cannot write the output: {why}")


class ShardFile:
    """A shard being written: its statements (lines) and SHA-256 digest counted as it goes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.file = open(path, "wb", buffering=1 << 20)  # noqa: SIM115
        except OSError as e:
            raise _output_error(path, e) from None
        self.lines = 0
        self.digest = hashlib.sha256()

    def write(self, text: str) -> int:
        return self.write_bytes(text.encode("utf-8"))

    def write_bytes(self, data: bytes) -> int:
        self.lines += data.count(b"\n")
        self.digest.update(data)
        return int(self.file.write(data))

    def close(self) -> dict[str, Any]:
        """Close it; its entry in the manifest: file name, statements, digest."""
        self.file.close()
        return {"file": self.path.name, "statements": self.lines, "sha256": self.digest.hexdigest()}


class ShardedOutput:
    """Text output cut into numbered files (``out-00001.nt``, ...) of about ``size`` triples,
    cut only between records, with a manifest (``out-manifest.json``).

    A run writes its shards into a fresh hidden folder beside the output
    (:class:`RunFolder`) and moves them into place only when it completes
    (:meth:`commit`): then the previous run's shards that this run did not write
    again are removed, and the manifest lists each shard with its statements
    (lines) and SHA-256 digest. Until then the previous set is untouched; a
    failed run (:meth:`abort`) leaves it as it was, and a killed run's folder is
    removed by the next run.
    """

    def __init__(self, output: Path, size: int) -> None:
        self.output = output
        self.size = size
        self.paths: list[Path] = []  # where the shards go when the run completes
        self.entries: list[dict[str, Any]] = []  # the manifest's entry of each closed shard
        self.start = 0  # triples written before the current shard
        self.folder = RunFolder(output.parent, f".{output.name}.shards.", output)
        self.current = self._open()

    @property
    def manifest(self) -> Path:
        return self.output.with_name(f"{self.output.stem}-manifest.json")

    def _open(self) -> ShardFile:
        path = self.output.with_name(
            f"{self.output.stem}-{len(self.paths) + 1:05d}{self.output.suffix}"
        )
        self.paths.append(path)
        try:
            return ShardFile(self.folder.path / path.name)
        except BaseException:
            self.folder.remove()
            raise

    def write(self, text: str) -> int:
        return self.current.write(text)

    def write_bytes(self, data: bytes) -> int:
        return self.current.write_bytes(data)

    def record_done(self, triples: int) -> None:
        """Start a new shard once the current one holds ``size`` triples."""
        if triples - self.start >= self.size:
            self.entries.append(self.current.close())
            self.start = triples
            self.current = self._open()

    def commit(self) -> None:
        """Move this run's shards into place, remove the previous run's others, write the
        manifest."""
        try:
            self.entries.append(self.current.close())
            replace_shards(
                self.folder.path,
                self.output.parent,
                shard_pattern(self.output.stem, self.output.suffix),
                self.manifest,
                {"format": self.output.suffix.lstrip("."), "shards": self.entries},
            )
        except OSError as e:
            self.folder.remove()
            raise _output_error(self.output, e) from None
        self.folder.remove()

    def abort(self) -> None:
        """Remove this run's shards; the previous run's stay as they were."""
        try:
            self.current.file.close()
        except OSError:
            pass  # a full disk fails the flush of what is left: the folder goes anyway
        self.folder.remove()


def shard_pattern(stem: str, suffix: str) -> re.Pattern[str]:
    """The names of the shards ``{stem}-00001{suffix}``, ``{stem}-00002{suffix}``, ...
    (``suffix`` a regular expression's text if it is not an extension such as ``.nq``)."""
    ext = re.escape(suffix) if suffix.startswith(".") else suffix
    return re.compile(rf"{re.escape(stem)}-\d{{5,}}{ext}")


def replace_shards(
    built: Path, target: Path, pattern: re.Pattern[str], manifest: Path, content: dict[str, Any]
) -> None:
    """Move the shards in the folder ``built`` into ``target``, remove the shards there
    (named by ``pattern``) that were not built again, and write ``manifest`` (JSON: the
    ``content``, with the total of its shards' statements).

    :raises OSError: if a file cannot be moved, removed or written.
    """
    new = {p.name for p in built.iterdir() if pattern.fullmatch(p.name)}
    old = [p for p in target.iterdir() if pattern.fullmatch(p.name) and p.name not in new]
    for name in sorted(new):
        os.replace(built / name, target / name)
    for path in old:
        path.unlink(missing_ok=True)
    content = {**content, "statements": sum(e["statements"] for e in content["shards"])}
    with atomic_output(manifest) as f:
        json.dump(content, f, indent=1)
        f.write("\n")


class RunFolder:
    """A fresh hidden folder ``{prefix}*.part`` in ``parent`` for one run's files, locked
    while the run lives (as :class:`AtomicFile` locks its file): the folders that killed
    runs left are removed when the next one starts."""

    def __init__(self, parent: Path, prefix: str, output: Path | None = None) -> None:
        """``output``: what the run writes, named in an error (default: ``parent``)."""
        try:
            parent.mkdir(parents=True, exist_ok=True)
            self.path = Path(tempfile.mkdtemp(prefix=prefix, suffix=".part", dir=parent))
            self.lock = os.open(self.path / ".lock", os.O_CREAT | os.O_RDWR, 0o600)
        except OSError as e:
            raise _output_error(output or parent, e) from None
        _hold(self.lock)
        for stale in parent.glob(f"{glob.escape(prefix)}*.part"):
            if stale != self.path:
                _remove_if_dead(stale)

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        try:
            os.close(self.lock)
        except OSError:
            pass  # closed already


def _remove_if_dead(folder: Path) -> None:
    """Remove a run folder whose lock no live run holds."""
    if fcntl is None:
        return
    try:
        fd = os.open(folder / ".lock", os.O_RDWR)
    except OSError:
        return  # not one of ours, or being made
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        shutil.rmtree(folder, ignore_errors=True)
    except OSError:
        pass  # a live run holds it
    finally:
        os.close(fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
