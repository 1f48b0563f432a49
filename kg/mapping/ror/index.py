"""The local ROR index: the ROR data dump (its zip, or the JSON array inside; schema v2,
or v1) read one record at a time and written to SQLite, and opened again as the in-memory
lookups the matcher uses."""

from __future__ import annotations

import io
import json
import sqlite3
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from kg.errors import InputError, OutputError
from kg.ids import normalize_ror
from kg.mapping.resolve.names import org_key

_LOOSE = frozenset("of and the for de du des la le di del degli della zu in at".split())


def loose_key(key: str) -> str:
    """A normalised name without the small words a spelling may leave out
    (``University of Koblenz and Landau``, ``Universität Koblenz-Landau``)."""
    return " ".join(w for w in key.split() if w not in _LOOSE)


_CHUNK = 1 << 20  # characters read at a time from the dump
_BATCH = 5000  # records written in one executemany

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE organisations (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, country TEXT, country_name TEXT,
    types TEXT, status TEXT, successor TEXT);
CREATE TABLE names (id TEXT NOT NULL, value TEXT NOT NULL, lang TEXT, kind TEXT NOT NULL,
    key TEXT NOT NULL);
CREATE TABLE relationships (id TEXT NOT NULL, type TEXT NOT NULL, related TEXT NOT NULL);
CREATE TABLE locations (id TEXT NOT NULL, city TEXT, country TEXT, country_name TEXT);
"""
INDEXES = """
CREATE INDEX names_key ON names (key);
CREATE INDEX relationships_id ON relationships (id);
"""


@dataclass(frozen=True, slots=True)
class Organisation:
    """One ROR record as the index keeps it."""

    id: str
    name: str
    country: str | None
    types: tuple[str, ...]
    status: str
    successor: str | None = None
    names: tuple[tuple[str, str | None, str], ...] = ()  # (value, lang, kind)
    relationships: tuple[tuple[str, str], ...] = ()  # (type, related id)
    cities: tuple[str, ...] = ()
    country_name: str | None = None


@dataclass(frozen=True)
class BuildStats:
    records: int
    names: int
    size: int  # bytes of the index file


def _dump_text(dump: Path) -> tuple[IO[str], zipfile.ZipFile | None]:
    """The dump's JSON as a text stream: the file itself, or the JSON in its zip (the
    schema-v2 file when the zip holds both)."""
    try:
        if zipfile.is_zipfile(dump):
            archive = zipfile.ZipFile(dump)
            members = [n for n in archive.namelist() if n.endswith(".json")]
            if not members:
                raise InputError(f"{dump}: the zip holds no JSON file")
            chosen = next((n for n in members if "schema_v2" in n), None)
            chosen = chosen or next((n for n in members if "v2" in n), members[0])
            return io.TextIOWrapper(archive.open(chosen), encoding="utf-8"), archive
        return dump.open(encoding="utf-8"), None
    except OSError as e:
        raise InputError(f"{dump}: cannot read the ROR dump: {e.strerror}") from None
    except zipfile.BadZipFile as e:
        raise InputError(f"{dump}: not a readable zip: {e}") from None


def iter_records(dump: Path) -> Iterator[dict[str, Any]]:
    """The dump's records one at a time, in bounded memory: the JSON array is read a
    megabyte at a time and each record decoded on its own (``raw_decode``)."""
    stream, archive = _dump_text(dump)
    decoder = json.JSONDecoder()
    try:
        buffer = stream.read(_CHUNK).lstrip("\ufeff \t\r\n")
        if not buffer.startswith("["):
            raise InputError(f"{dump}: not a ROR dump (expected a JSON array of records)")
        pos = 1
        eof = False
        while True:
            while pos < len(buffer) and buffer[pos] in " \t\r\n,":
                pos += 1
            if pos < len(buffer) and buffer[pos] == "]":
                return
            try:
                record, end = decoder.raw_decode(buffer, pos)
            except json.JSONDecodeError as e:
                if eof:
                    raise InputError(f"{dump}: broken JSON in the ROR dump: {e.msg}") from None
                more = stream.read(_CHUNK)
                eof = not more
                buffer = buffer[pos:] + more
                pos = 0
                continue
            if not isinstance(record, dict):
                raise InputError(f"{dump}: not a ROR dump (a record is not an object)")
            yield record
            pos = end
            if len(buffer) - pos < _CHUNK // 2 and not eof:
                more = stream.read(_CHUNK)
                eof = not more
                buffer = buffer[pos:] + more
                pos = 0
    except UnicodeDecodeError as e:
        raise InputError(f"{dump}: the ROR dump is not UTF-8: {e}") from None
    finally:
        stream.close()
        if archive is not None:
            archive.close()


def parse_record(record: dict[str, Any]) -> Organisation | None:
    """A dump record (schema v2, or v1) as an :class:`Organisation`; None without an id."""
    ror = normalize_ror(str(record.get("id") or ""))
    if ror is None:
        return None
    names: list[tuple[str, str | None, str]] = []
    cities: list[str] = []
    country = country_name = None
    if "names" in record:  # schema v2
        display = None
        for entry in record.get("names") or []:
            value = (entry.get("value") or "").strip()
            types = entry.get("types") or []
            if not value:
                continue
            if "ror_display" in types:
                display = value
            kind = "acronym" if "acronym" in types else "label" if "label" in types else "alias"
            if "ror_display" in types:
                kind = "display"
            names.append((value, entry.get("lang"), kind))
        for location in record.get("locations") or []:
            details = location.get("geonames_details") or {}
            country = country or details.get("country_code")
            country_name = country_name or details.get("country_name")
            if details.get("name"):
                cities.append(details["name"])
        name = display or (names[0][0] if names else ror)
    else:  # schema v1
        name = (record.get("name") or "").strip()
        names.append((name, None, "display"))
        names += [(a, None, "alias") for a in record.get("aliases") or [] if a]
        names += [(a, None, "acronym") for a in record.get("acronyms") or [] if a]
        names += [
            (x["label"], x.get("iso639"), "label")
            for x in record.get("labels") or []
            if x.get("label")
        ]
        country_info = record.get("country") or {}
        country = country_info.get("country_code")
        country_name = country_info.get("country_name")
        cities = [a["city"] for a in record.get("addresses") or [] if a.get("city")]
    relationships = []
    successor = None
    for rel in record.get("relationships") or []:
        related = normalize_ror(str(rel.get("id") or ""))
        kind = str(rel.get("type") or "").lower()
        if related is None or not kind:
            continue
        relationships.append((kind, related))
        if kind == "successor" and successor is None:
            successor = related
    return Organisation(
        id=ror,
        name=name,
        country=country,
        types=tuple(record.get("types") or ()),
        status=str(record.get("status") or "active"),
        successor=successor,
        names=tuple(names),
        relationships=tuple(relationships),
        cities=tuple(dict.fromkeys(cities)),
        country_name=country_name,
    )


def build_index(dump: Path, out: Path) -> BuildStats:
    """Read the ROR dump ``dump`` and write the SQLite index ``out`` (replaced if there).

    :raises InputError: the dump cannot be read.
    :raises OutputError: the index cannot be written.
    """
    partial = out.with_name(out.name + ".partial")
    try:
        partial.unlink(missing_ok=True)
        db = sqlite3.connect(partial)
    except (OSError, sqlite3.Error) as e:
        raise OutputError(f"{out}: cannot write the ROR index: {e}") from None
    records = names = 0
    try:
        db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + SCHEMA)
        batch: list[Organisation] = []
        for raw in iter_records(dump):
            org = parse_record(raw)
            if org is None:
                continue
            batch.append(org)
            records += 1
            names += len(org.names)
            if len(batch) >= _BATCH:
                _write(db, batch)
                batch = []
        _write(db, batch)
        db.executescript(INDEXES)
        db.execute("INSERT INTO meta VALUES ('records', ?)", (str(records),))
        db.commit()
        db.execute("VACUUM")
        db.close()
        partial.replace(out)
    except sqlite3.Error as e:
        db.close()
        partial.unlink(missing_ok=True)
        raise OutputError(f"{out}: cannot write the ROR index: {e}") from None
    except BaseException:
        db.close()
        partial.unlink(missing_ok=True)
        raise
    return BuildStats(records, names, out.stat().st_size)


def _write(db: sqlite3.Connection, batch: list[Organisation]) -> None:
    db.executemany(
        "INSERT OR REPLACE INTO organisations VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (o.id, o.name, o.country, o.country_name, " ".join(o.types), o.status, o.successor)
            for o in batch
        ],
    )
    db.executemany(
        "INSERT INTO names VALUES (?, ?, ?, ?, ?)",
        [(o.id, v, lang, kind, org_key(v)) for o in batch for v, lang, kind in o.names],
    )
    db.executemany(
        "INSERT INTO relationships VALUES (?, ?, ?)",
        [(o.id, kind, rel) for o in batch for kind, rel in o.relationships],
    )
    db.executemany(
        "INSERT INTO locations VALUES (?, ?, ?, ?)",
        [(o.id, c, o.country, o.country_name) for o in batch for c in o.cities or ("",)],
    )


@dataclass
class RorIndex:
    """An index opened for matching: its lookups in memory dicts."""

    path: Path
    organisations: dict[str, Organisation] = field(default_factory=dict)
    by_key: dict[str, tuple[str, ...]] = field(default_factory=dict)  # name key -> ids
    by_acronym: dict[str, tuple[str, ...]] = field(default_factory=dict)  # exact -> ids
    parents: dict[str, frozenset[str]] = field(default_factory=dict)
    countries: dict[str, str] = field(default_factory=dict)  # country name key -> code
    display_lang: dict[str, str] = field(default_factory=dict)  # id -> its name's language
    longest: int = 1  # words in the longest name key

    @classmethod
    def open(cls, path: Path) -> RorIndex:
        """Open an index that :func:`build_index` wrote.

        :raises InputError: it is missing or not a ROR index.
        """
        if not path.is_file():
            raise InputError(f"{path}: no such ROR index", hint="build one with `kg ror index`")
        try:
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                return cls._load(path, db)
            finally:
                db.close()
        except sqlite3.Error as e:
            raise InputError(f"{path}: not a ROR index ({e})") from None

    @classmethod
    def _load(cls, path: Path, db: sqlite3.Connection) -> RorIndex:
        index = cls(path)
        rows = db.execute(
            "SELECT id, name, country, types, status, successor, country_name FROM organisations"
        )
        for ror, name, country, types, status, successor, country_name in rows:
            index.organisations[ror] = Organisation(
                ror, name, country, tuple(types.split()), status, successor,
                country_name=country_name,
            )  # fmt: skip
            if country and country_name:
                index.countries.setdefault(org_key(country_name), country)
        keys: dict[str, list[str]] = {}
        acronyms: dict[str, list[str]] = {}
        for ror, value, lang, kind, key in db.execute(
            "SELECT id, value, lang, kind, key FROM names"
        ):
            if kind == "display" and lang:
                index.display_lang[ror] = lang
            if kind == "acronym":
                ids = acronyms.setdefault(value, [])
            elif key:
                ids = keys.setdefault(key, [])
                index.longest = max(index.longest, key.count(" ") + 1)
            else:
                continue
            if ror not in ids:
                ids.append(ror)
            loose = loose_key(key)
            if kind != "acronym" and loose and loose != key:
                ids = keys.setdefault(loose, [])
                if ror not in ids:
                    ids.append(ror)
        index.by_key = {k: tuple(v) for k, v in keys.items()}
        index.by_acronym = {k: tuple(v) for k, v in acronyms.items()}
        parents: dict[str, set[str]] = {}
        for ror, related in db.execute(
            "SELECT id, related FROM relationships WHERE type = 'parent'"
        ):
            parents.setdefault(ror, set()).add(related)
        index.parents = {k: frozenset(v) for k, v in parents.items()}
        return index
