"""Loading into the embedded store and into a real Oxigraph server, faults included."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.errors import StoreError, UsageError
from kg.stores.counts import LoadFailed
from kg.stores.endpoints import Auth, derive_endpoints
from kg.stores.load import drop, load
from kg.stores.remote import RemoteStore

BASE = "https://example.org/kg/"


def triples_in(path: Path) -> int:
    return len(set(ox.parse(path=str(path))))


def kg(*args: str) -> object:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def remote_count(query_url: str, graph: str, auth: Auth | None = None) -> int:
    with RemoteStore(derive_endpoints(query_url), auth or Auth()) as r:
        return r.count(graph)


@pytest.mark.parametrize(
    "url, update, gsp, kind",
    [
        ("http://h:7878/query", "http://h:7878/update", "http://h:7878/store", "oxigraph"),
        ("http://h:3030/ds/sparql", "http://h:3030/ds/update", "http://h:3030/ds/data", "fuseki"),
        ("http://h:3030/ds/query", "http://h:3030/ds/update", "http://h:3030/ds/data", "fuseki"),
        (
            "http://h:7200/repositories/kg",
            "http://h:7200/repositories/kg/statements",
            "http://h:7200/repositories/kg/rdf-graphs/service",
            "graphdb",
        ),
        (
            "http://h:8890/sparql",
            "http://h:8890/sparql",
            "http://h:8890/sparql-graph-crud",
            "virtuoso",
        ),
        (
            "http://h:8890/sparql-auth",
            "http://h:8890/sparql-auth",
            "http://h:8890/sparql-graph-crud-auth",
            "virtuoso",
        ),
        ("http://h:7001/", "http://h:7001/", None, "generic"),
    ],
)
def test_endpoints_are_derived(url: str, update: str, gsp: str | None, kind: str) -> None:
    e = derive_endpoints(url)
    assert (e.update, e.gsp, e.store_type) == (update, gsp, kind)


def test_endpoint_overrides_and_bad_urls() -> None:
    e = derive_endpoints("http://h/query", update="http://u/", gsp="http://g/")
    assert (e.update, e.gsp) == ("http://u/", "http://g/")
    with pytest.raises(UsageError):
        derive_endpoints("ftp://h/query")


@pytest.mark.parametrize("graph", ["x> } ; DROP ALL ; #", "http://ex.org/a graph", "relative/g"])
def test_a_graph_name_that_is_not_an_iri_is_a_usage_error_everywhere(
    tmp_path: Path, built_ttl: Path, graph: str
) -> None:
    """A --graph value goes into SPARQL text at a remote store: it is checked before anything
    is sent or written, for load and drop, embedded or remote (no server needs to answer)."""
    remote = {"endpoint": "http://127.0.0.1:9/query"}  # nothing listens on port 9
    for where in ({"store": tmp_path / "store"}, remote):
        with pytest.raises(UsageError, match="not an absolute IRI"):
            load([built_ttl], graph=graph, **where)  # type: ignore[arg-type]
        with pytest.raises(UsageError, match="not an absolute IRI"):
            drop(graph, **where)  # type: ignore[arg-type]
    assert not (tmp_path / "store").exists()
    for args in (["load", str(built_ttl)], ["drop"]):
        done = kg(*args, "--graph", graph, "--store", str(tmp_path / "store"))
        assert done.exit_code == 2, done.output  # type: ignore[attr-defined]
        assert "not an absolute IRI" in done.output  # type: ignore[attr-defined]
        assert "Traceback" not in done.output  # type: ignore[attr-defined]


def test_embedded_load_reload_second_source_drop(tmp_path: Path, built_ttl: Path) -> None:
    store = tmp_path / "store"
    expected = triples_in(built_ttl)
    first = load([built_ttl], store=store)
    again = load([built_ttl], store=store)
    graph = f"{BASE}graph/out.ttl"
    assert [(g.graph, g.count) for g in first.graphs] == [(graph, expected)]
    assert [(g.graph, g.count) for g in again.graphs] == [(graph, expected)]  # replaced
    other = tmp_path / "other.nt"
    other.write_text("<http://a> <http://b> <http://c> .\n", encoding="utf-8")
    load([other], store=store)
    result = kg("drop", "--store", str(store), "--graph", graph)
    assert result.exit_code == 0 and f"({expected} triples)" in result.stderr
    exported = tmp_path / "all.nq"
    assert kg("export", "--store", str(store), "-o", str(exported)).exit_code == 0
    graphs = {q.graph_name.value for q in ox.parse(path=str(exported))}  # type: ignore[union-attr]
    assert graphs == {f"{BASE}graph/other.nt"}


def test_build_load_keeps_a_graph_per_source(tmp_path: Path, data_dir: Path) -> None:
    store = tmp_path / "store"
    result = kg("build", str(data_dir), "--load", "--store", str(store))
    assert result.exit_code == 0, result.stderr
    st = ox.Store.read_only(str(store))
    names = sorted(g.value for g in st.named_graphs())  # type: ignore[union-attr]
    assert names == [
        f"{BASE}graph/data/examples.yaml",
        f"{BASE}graph/data/libartrus-2015-seed.json",
        f"{BASE}graph/data/scientometrics-2022.csv",
    ]


@pytest.mark.parametrize("method", ["gsp", "update"])
def test_remote_load_twice_holds_exactly_the_file(
    oxigraph_server,
    built_ttl: Path,  # noqa: ANN001
    method: str,
) -> None:
    expected = triples_in(built_ttl)
    graph = f"{BASE}graph/out.ttl"
    for _ in range(2):
        result = kg(
            "load",
            str(built_ttl),
            "--endpoint",
            oxigraph_server.query,
            "--method",
            method,
            "--batch-size",
            "100",
        )
        assert result.exit_code == 0, result.stderr
        verified = f"<{graph}> from out.ttl: {expected} read; the store holds {expected}: verified"
        assert verified in result.stderr
        assert remote_count(oxigraph_server.query, graph) == expected


def test_remote_second_source_and_drop(oxigraph_server, built_ttl: Path, tmp_path: Path) -> None:  # noqa: ANN001
    other = tmp_path / "other.nq"
    other.write_text(
        "<http://a> <http://b> <http://c> <http://g/1> .\n"
        "<http://a> <http://b> <http://d> <http://g/2> .\n",
        encoding="utf-8",
    )
    report = load([built_ttl, other], endpoint=oxigraph_server.query)
    assert [(g.graph, g.count) for g in report.graphs][1:] == [("http://g/1", 1), ("http://g/2", 1)]
    assert report.verified and report.triples == triples_in(built_ttl) + 2
    result = kg("drop", "--endpoint", oxigraph_server.query, "--graph", "http://g/1")
    assert result.exit_code == 0
    assert remote_count(oxigraph_server.query, "http://g/1") == 0
    assert remote_count(oxigraph_server.query, "http://g/2") == 1
    assert remote_count(oxigraph_server.query, f"{BASE}graph/out.ttl") == triples_in(built_ttl)


def test_server_down_is_one_line_and_exit_4(built_ttl: Path) -> None:
    from servers import free_port

    result = kg("load", str(built_ttl), "--endpoint", f"http://127.0.0.1:{free_port()}/query")
    assert result.exit_code == 4
    assert "cannot reach the store (connection refused)" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("status", [401, 403])
def test_refused_credentials(proxy, built_ttl: Path, status: int) -> None:  # noqa: ANN001
    proxy.faults.status = status
    result = kg("load", str(built_ttl), "--endpoint", proxy.query, "--method", "gsp")
    assert result.exit_code == 4
    assert f"the store refused the credentials (HTTP {status})" in result.stderr


@pytest.mark.parametrize("method", ["gsp", "update"])
def test_413_splits_the_batch(proxy, oxigraph_server, built_ttl: Path, method: str) -> None:  # noqa: ANN001
    proxy.faults.max_body = 6_000
    result = kg("load", str(built_ttl), "--endpoint", proxy.query, "--method", method)
    assert result.exit_code == 0, result.stderr
    assert remote_count(oxigraph_server.query, f"{BASE}graph/out.ttl") == triples_in(built_ttl)
    assert proxy.faults.writes > 3  # the one batch went as several smaller ones


@pytest.mark.parametrize("fault", ["fail_write", "cut_write"])
@pytest.mark.parametrize("method", ["gsp", "update"])
def test_a_fault_mid_load_stops_reports_and_a_rerun_completes(
    proxy,
    oxigraph_server,
    built_ttl: Path,
    fault: str,
    method: str,  # noqa: ANN001
) -> None:
    expected = triples_in(built_ttl)
    graph = f"{BASE}graph/out.ttl"
    setattr(proxy.faults, fault, 3)
    result = kg(
        "load", str(built_ttl), "--endpoint", proxy.query, "--method", method, "--batch-size", "50"
    )
    assert result.exit_code == 4
    assert "FAILED after" in result.stderr and "batch(es)" in result.stderr
    error = [ln for ln in result.stderr.splitlines() if ln.startswith("Error:")]
    assert len(error) == 1 and f"loading <{graph}> from out.ttl failed" in error[0]
    assert "Traceback" not in result.stderr
    # a write that may have been applied is never sent again
    writes = proxy.faults.writes
    assert writes == 3
    proxy.reset()
    rerun = kg(
        "load", str(built_ttl), "--endpoint", proxy.query, "--method", method, "--batch-size", "50"
    )
    assert rerun.exit_code == 0, rerun.stderr
    assert remote_count(oxigraph_server.query, graph) == expected  # complete, no duplicates


@pytest.mark.parametrize("kind", ["basic", "digest", "bearer"])
def test_authentication(
    proxy,
    oxigraph_server,
    built_ttl: Path,
    kind: str,  # noqa: ANN001
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    proxy.faults.auth = kind
    args = ["load", str(built_ttl), "--endpoint", proxy.query, "--auth", kind]
    if kind == "bearer":
        monkeypatch.setenv("KG_TOKEN", "t0ken")
    else:
        args += ["--user", "kg"]
        monkeypatch.setenv("KG_PASSWORD", "s3cret")
    result = kg(*args)
    assert result.exit_code == 0, result.stderr
    assert "s3cret" not in result.stderr + result.stdout and "t0ken" not in result.stderr
    assert remote_count(oxigraph_server.query, f"{BASE}graph/out.ttl") == triples_in(built_ttl)
    assert {"Basic": "basic", "Digest": "digest", "Bearer": "bearer"}.get(
        proxy.faults.seen_auth[-1]
    ) == kind
    monkeypatch.setenv("KG_PASSWORD", "wrong")
    monkeypatch.setenv("KG_TOKEN", "wrong")
    refused = kg(*args)
    assert refused.exit_code == 4 and "refused the credentials (HTTP 401)" in refused.stderr


def test_credentials_never_appear_in_messages() -> None:
    auth = Auth.from_options("basic", "kg", "s3cret", None)
    assert "s3cret" not in repr(auth)
    with (
        pytest.raises(StoreError) as err,
        RemoteStore(derive_endpoints("http://kg:s3cret@127.0.0.1:9/query"), auth, timeout=1) as r,
    ):
        r.count("http://g")
    assert "s3cret" not in str(err.value)


def test_load_failed_carries_the_report(proxy, built_ttl: Path) -> None:  # noqa: ANN001
    proxy.faults.fail_write = 3  # 1: DELETE the graph, 2: POST batch 1, 3: POST batch 2
    with pytest.raises(LoadFailed) as err:
        load([built_ttl], endpoint=proxy.query, method="gsp", batch_size=100)
    [g] = err.value.report.graphs
    assert (g.batches_done, g.sent, g.error is not None) == (1, 100, True)


def test_the_test_extras_install_the_oxigraph_server() -> None:
    from servers import tool

    assert tool("oxigraph"), "pip install '.[test]' installs the oxigraph server"


def test_shards_hold_the_same_graph_as_one_file(tmp_path: Path, data_dir: Path) -> None:
    single = tmp_path / "one.nq"
    result = kg("build", str(data_dir), "-o", str(single), "--no-validate")
    assert result.exit_code == 0
    shards = tmp_path / "shard.nq"
    result = kg("build", str(data_dir), "-o", str(shards), "--no-validate", "--shard-size", "100")
    assert result.exit_code == 0, result.stderr
    files = sorted(tmp_path.glob("shard-*.nq"))
    assert [f.name for f in files] == ["shard-00001.nq", "shard-00002.nq", "shard-00003.nq"]
    union = set().union(*(set(ox.parse(path=str(f))) for f in files))
    assert union == set(ox.parse(path=str(single)))
    assert not shards.exists() and not list(tmp_path.glob(".*part"))


def _manifest(path: Path) -> dict:  # type: ignore[type-arg]
    import json

    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_a_shard_rebuild_replaces_the_previous_set_and_writes_a_manifest(
    tmp_path: Path, data_dir: Path
) -> None:
    """A rebuild with fewer shards leaves none of the previous run's (the documented
    ``shards/*.nq`` glob would load them); the manifest gives each shard's count and
    digest, and loading the glob gives exactly the single-file build."""
    import hashlib

    out = tmp_path / "shards" / "kg.nq"
    first = kg("build", str(data_dir), "-o", str(out), "--no-validate", "--shard-size", "50")
    assert first.exit_code == 0, first.stderr
    assert len(sorted(out.parent.glob("*.nq"))) > 3
    again = kg("build", str(data_dir), "-o", str(out), "--no-validate", "--shard-size", "200")
    assert again.exit_code == 0, again.stderr
    files = sorted(out.parent.glob("*.nq"))
    assert [f.name for f in files] == ["kg-00001.nq", "kg-00002.nq"]
    manifest = _manifest(out.parent / "kg-manifest.json")
    assert [e["file"] for e in manifest["shards"]] == [f.name for f in files]
    for entry, f in zip(manifest["shards"], files, strict=True):
        data = f.read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert (
            entry["statements"]
            == data.count(b"\n")
            == len(list(ox.parse(data, format=ox.RdfFormat.N_QUADS)))
        )
    assert manifest["statements"] == sum(e["statements"] for e in manifest["shards"])
    assert sorted(p.name for p in out.parent.iterdir()) == [
        "kg-00001.nq",
        "kg-00002.nq",
        "kg-manifest.json",
    ]  # no run folder, no .part file left
    single = tmp_path / "one.nq"
    assert kg("build", str(data_dir), "-o", str(single), "--no-validate").exit_code == 0
    report = load(files, store=tmp_path / "store")
    assert report.verified and report.triples == triples_in(single)


def test_a_failed_shard_build_leaves_the_previous_set(tmp_path: Path, data_dir: Path) -> None:
    from kg.build.pipeline import build

    out = tmp_path / "kg.nt"
    build([data_dir], out, validate=False, shard_size=100)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert len(before) == 4  # three shards and the manifest

    class Interrupted(Exception):
        pass

    class Stop:  # the build's progress: interrupted after its first few records
        calls = 0

        def phase(self, name: str, total: int | None, unit: str = "B") -> None:
            pass

        def advance(self, done: int = 0, records: int = 0) -> None:
            Stop.calls += records
            if Stop.calls > 3:
                raise Interrupted

    with pytest.raises(Interrupted):
        build([data_dir], out, validate=False, shard_size=10, progress=Stop())
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_killed_shard_build_leaves_a_folder_the_next_run_removes(tmp_path: Path) -> None:
    """A run's shards are written in a hidden folder; a killed run's (its lock released
    with the process) goes when the next run starts, a live run's stays."""
    import subprocess
    import sys

    from kg.rdf.files import ShardedOutput

    out = tmp_path / "kg.nt"
    code = (
        "import sys, pathlib\n"
        "from kg.rdf.files import ShardedOutput\n"
        "s = ShardedOutput(pathlib.Path(sys.argv[1]), 10)\n"
        "s.write('<http://a> <http://b> <http://c> .\\n')\n"
        "s.current.file.flush()\n"
        "print(s.folder.path, flush=True)\n"
        "sys.stdin.read()\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(out)], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert proc.stdout is not None
    folder = Path(proc.stdout.readline().decode().strip())
    assert folder.is_dir()
    live = ShardedOutput(out, 10)  # the other run is alive: its folder stays
    assert folder.is_dir()
    live.abort()
    proc.kill()
    proc.wait()
    proc.stdin.close()  # type: ignore[union-attr]
    proc.stdout.close()
    assert folder.is_dir()  # what a killed run leaves
    done = ShardedOutput(out, 10)
    assert not folder.exists()
    done.write("<http://a> <http://b> <http://c> .\n")
    done.commit()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kg-00001.nt", "kg-manifest.json"]


def test_shards_that_cannot_be_written_are_exit_5(tmp_path: Path, data_dir: Path) -> None:
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    out = tmp_path / "a-file" / "kg.nq"
    result = kg("build", str(data_dir), "-o", str(out), "--no-validate", "--shard-size", "10")
    assert result.exit_code == 5
    assert f"Error: {out}: cannot write the output" in result.stderr


def test_shards_need_ntriples_or_nquads(tmp_path: Path, data_dir: Path) -> None:
    result = kg("build", str(data_dir), "-o", str(tmp_path / "x.ttl"), "--shard-size", "100")
    assert result.exit_code == 2 and "shards are written as N-Triples or N-Quads" in result.stderr


def test_a_graph_that_fits_one_batch_is_one_put(proxy, oxigraph_server, built_ttl: Path) -> None:  # noqa: ANN001
    result = kg("load", str(built_ttl), "--endpoint", proxy.query, "--method", "gsp")
    assert result.exit_code == 0
    assert proxy.faults.writes == 1  # one atomic, repeatable replacement
