"""Named queries: every one runs, the same answers on files, the embedded store and a server."""

from __future__ import annotations

import csv
import io
import json
import re
import shlex
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.build.pipeline import build
from kg.cli import cli
from kg.query.library import (
    NamedQuery,
    QueryError,
    bind,
    library,
    load_data,
    parse_header,
    resolve,
    run_local,
    with_values,
)
from kg.stores.load import load

TESTS = Path(__file__).resolve().parents[1]  # tests/
ROOT = TESTS.parent
BASE = "https://example.org/kg/"
LIBRARY = library()


def kg(*args: str, stdin: str | None = None) -> object:
    return CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """data/, the samples and the all-features records, built to N-Quads (a graph per source)."""
    out = tmp_path_factory.mktemp("q") / "all.nq"
    build(
        [ROOT / "data", TESTS / "data" / "samples", TESTS / "cases" / "all-features"],
        out,
        validate=False,
    )
    return out


def example_args(name: str) -> list[str]:
    q = LIBRARY[name]
    assert q.examples, f"{name} has no example"
    args = shlex.split(q.examples[0])
    assert args[:3] == ["kg", "query", name]
    return args[3:]


def normalized(text: str, fmt: str) -> object:
    """Rows as sorted tuples (GROUP_CONCAT lists sorted too), or a set of triples."""
    if fmt == "nt":
        return {line for line in text.splitlines() if line.strip()}
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    return header, sorted(tuple("; ".join(sorted(c.split("; "))) for c in r) for r in body)


def test_the_library_has_every_query_the_issue_asks_for() -> None:
    assert len(LIBRARY) >= 12
    for name, q in LIBRARY.items():
        assert q.title and q.description and q.examples, name
    forms = {q.form for q in LIBRARY.values()}
    assert {"SELECT", "CONSTRUCT", "DESCRIBE"} <= forms


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_every_library_query_runs_on_data(name: str, data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "data.nq"
    build([data_dir], out, validate=False)
    fmt = "nt" if LIBRARY[name].form in ("CONSTRUCT", "DESCRIBE") else "csv"
    result = kg("query", name, *example_args(name), "--data", str(out), "--format", fmt)
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("name", [n for n, q in LIBRARY.items() if q.form == "SELECT"])
def test_no_row_twice_when_sources_share_an_article(name: str, built: Path) -> None:
    # the union of the named graphs holds a triple once per source that states it
    result = kg("query", name, *example_args(name), "--data", str(built), "--format", "jsonl")
    rows = result.stdout.splitlines()
    assert result.exit_code in (0, 1) and len(rows) == len(set(rows))


def test_the_seed_in_retracted_articles_with_its_university(built: Path) -> None:
    result = kg("query", "retracted-articles", "--data", str(built), "--format", "json")
    rows = json.loads(result.stdout)["results"]["bindings"]
    seed = [r for r in rows if r["title"]["value"].startswith("Cluster management model")]
    assert len(seed) == 1
    assert seed[0]["institutions"]["value"] == "Tomsk Polytechnic University"
    assert seed[0]["sources"]["value"] == "http://libartrus.com/en/archive/2015/6/10/"
    assert seed[0]["journal"]["value"] == "Liberal Arts in Russia"


def test_the_seed_in_retractions_by_institution(built: Path) -> None:
    result = kg(
        "query",
        "retractions-by-institution",
        "--param",
        "ror=00a45v709",
        "--data",
        str(built),
        "--format",
        "jsonl",
    )
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["institutionName"], r["title"][:24]) for r in rows] == [
        ("Tomsk Polytechnic University", "Cluster management model")
    ]
    by_name = kg(
        "query",
        "retractions-by-institution-name",
        "--param",
        "name=tomsk",
        "--data",
        str(built),
        "--format",
        "csv",
    )
    assert normalized(by_name.stdout, "csv")[1][0][1] == "Tomsk Polytechnic University"


@pytest.fixture(scope="module")
def everywhere(built: Path, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    """The same graph three ways: the file, the embedded store, an Oxigraph server."""
    from servers import OxigraphServer

    base = tmp_path_factory.mktemp("everywhere")
    store = base / "store"
    load([built], store=store)
    server = OxigraphServer(base / "server")
    load([built], endpoint=server.query)
    yield [["--data", str(built)], ["--store", str(store)], ["--endpoint", server.query]]
    server.stop()


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_same_answers_on_files_the_embedded_store_and_a_server(name: str, everywhere) -> None:  # noqa: ANN001
    fmt = "nt" if LIBRARY[name].form in ("CONSTRUCT", "DESCRIBE") else "csv"
    answers = []
    for source in everywhere:
        result = kg("query", name, *example_args(name), *source, "--format", fmt)
        assert result.exit_code == 0, result.stderr
        answers.append(normalized(result.stdout, fmt))
    assert answers[0] == answers[1] == answers[2]
    found = answers[0] if fmt == "nt" else answers[0][1]  # type: ignore[index]
    assert found or name == "journals-conflicting-issns", f"{name} found nothing"


def test_inline_select_as_csv_everywhere(everywhere) -> None:  # noqa: ANN001
    q = (
        "SELECT ?t WHERE { ?a a <http://purl.org/spar/fabio/Journal> ; "
        "<http://purl.org/dc/terms/title> ?t } ORDER BY ?t"
    )
    outputs = [kg("query", q, *source, "--format", "csv").stdout for source in everywhere]
    assert outputs[0] == outputs[1] == outputs[2]
    assert "Liberal Arts in Russia" in outputs[0]


def test_a_subquery_gets_the_parameters_its_modifiers_use() -> None:
    q = parse_header(
        "t",
        "# param: n integer default=2\n"
        "SELECT ?g ?c WHERE { { SELECT ?g (COUNT(*) AS ?c) WHERE { ?s ?p ?g }\n"
        "  GROUP BY ?g HAVING (COUNT(*) >= ?n) } OPTIONAL { ?g ?q ?r } }",
        "t",
    )
    text = with_values(q.text, bind(q, {}))
    values = 'VALUES (?n) { ("2"^^<http://www.w3.org/2001/XMLSchema#integer>) }'
    # bound where HAVING can see it, and not in the outer group, which does not use it
    assert text.count(values) == 1
    assert text.index(values) > text.index("{ SELECT") and text.index(values) < text.index("?s ?p")


def test_parameters_are_bound_not_pasted(built: Path) -> None:
    store = load_data([built])
    q = resolve("retractions-by-institution-name")
    hostile = 'x")) } UNION { ?s ?p ?o } #'
    result = run_local(store, q, bind(q, {"name": hostile}))
    assert result.rows == []  # the value stays one string: no row matches it
    text = with_values(q.text, bind(q, {"name": hostile}))
    assert 'VALUES (?name) { ("x\\")) } UNION { ?s ?p ?o } #") }' in text


@pytest.mark.parametrize(
    "params, message",
    [
        ({"nope": "1"}, "unknown parameter 'nope'"),
        ({}, "give one of the parameters article, doi"),
    ],
)
def test_unknown_and_missing_parameters(params: dict[str, str], message: str) -> None:
    with pytest.raises(QueryError, match=message):
        bind(resolve("article-description"), params)


def test_a_required_parameter() -> None:
    with pytest.raises(QueryError, match="parameter 'issn' is required"):
        bind(resolve("articles-by-issn"), {})


@pytest.mark.parametrize(
    "ptype, value, term",
    [
        ("iri", "https://example.org/x", "<https://example.org/x>"),
        ("string", 'say "hi"', '"say \\"hi\\""'),
        ("langstring", "regional clusters@en", '"regional clusters"@en'),
        ("integer", "2015", '"2015"^^<http://www.w3.org/2001/XMLSchema#integer>'),
        ("date", "2023-09-27", '"2023-09-27"^^<http://www.w3.org/2001/XMLSchema#date>'),
        # identifiers come out as kg writes them, whatever form the user pastes
        ("doi", "https://doi.org/10.1162/QSS_A_00292", '"10.1162/qss_a_00292"'),
        ("issn", "2312 6442", '"2312-6442"'),
        ("orcid", "https://orcid.org/0000000305304305", '"0000-0003-0530-4305"'),
        ("ror", "https://ror.org/00A45V709", '"00a45v709"'),
    ],
)
def test_typed_parameters(ptype: str, value: str, term: str) -> None:
    q = NamedQuery("t", f"# param: v {ptype} required\nSELECT * WHERE {{ }}", "t")
    from kg.query.library import parse_header

    assert bind(parse_header("t", q.text, "t"), {"v": value}) == {"v": term}


@pytest.mark.parametrize(
    "ptype, value",
    [
        ("iri", "not an iri"),
        ("integer", "12a"),
        ("date", "2023-13-01"),
        ("langstring", "no tag"),
        ("doi", "11.1162/x"),
        ("issn", "2305-842"),
        ("orcid", "0000-0003-0530"),
        ("ror", "tomsk"),
    ],
)
def test_bad_typed_parameters(ptype: str, value: str) -> None:
    from kg.query.library import parse_header

    q = parse_header("t", f"# param: v {ptype} required\nSELECT * WHERE {{ }}", "t")
    with pytest.raises(QueryError, match="parameter v"):
        bind(q, {"v": value})


def test_a_syntax_error_names_the_file_and_line(tmp_path: Path, built: Path) -> None:
    bad = tmp_path / "bad.rq"
    bad.write_text(
        "# title: broken\nSELECT ?s\nWHERE {\n  ?s ?p ?o .\n  FILTER(?s = )\n}\n", encoding="utf-8"
    )
    result = kg("query", str(bad), "--data", str(built))
    assert result.exit_code == 2
    assert re.match(
        rf"Error: {re.escape(str(bad))}: not valid SPARQL: line \d+, column \d+: expected",
        result.stderr,
    )


def test_ask_exit_codes_and_stdin(built: Path) -> None:
    yes = kg(
        "query",
        "-",
        "--data",
        str(built),
        stdin="ASK { ?s a <http://purl.org/spar/fabio/Journal> }",
    )
    no = kg("query", "ASK { ?s a <http://example.org/Nothing> }", "--data", str(built))
    assert (yes.exit_code, yes.stdout, no.exit_code, no.stdout) == (0, "true\n", 1, "false\n")


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json", "jsonl"])
def test_select_formats(built: Path, fmt: str) -> None:
    result = kg("query", "works-per-year", "--data", str(built), "--format", fmt)
    assert result.exit_code == 0
    if fmt == "json":
        assert json.loads(result.stdout)["head"]["vars"] == [
            "year",
            "works",
            "retractedWorks",
        ]
    elif fmt == "table":
        assert result.stdout.splitlines()[0].split() == ["year", "works", "retractedWorks"]
        assert result.stdout.rstrip().endswith("rows)")
    elif fmt == "tsv":  # plain names and values, as in CSV
        assert result.stdout.startswith("year\tworks\tretractedWorks\n")
        assert "\n2015\t" in result.stdout and "^^" not in result.stdout


def test_construct_gives_rdf(built: Path) -> None:
    result = kg(
        "query",
        "article-description",
        "--param",
        "doi=10.1162/QSS_A_00292",
        "--data",
        str(built),
        "--format",
        "ttl",
    )
    triples = set(ox.parse(result.stdout.encode(), format=ox.RdfFormat.TURTLE))
    subjects = {t.subject.value for t in triples}  # type: ignore[union-attr]
    assert f"{BASE}doi/10.1162/qss_a_00292" in subjects
    assert f"{BASE}org/ror/01111rn36" in subjects  # an author's institution
    assert f"{BASE}journal/issn/2641-3337" in subjects
    assert not any("scientometrics" in s.lower() for s in subjects)  # no other article


def test_the_embedded_store_is_the_default(
    tmp_path: Path, built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    missing = kg("query", "works-per-year")
    assert missing.exit_code == 4 and "there is no kg store here" in missing.stderr
    assert kg("load", str(built)).exit_code == 0
    result = kg("query", "works-per-year", "--format", "csv")
    assert result.exit_code == 0 and re.search(r"\n2015,\d+,1\n", result.stdout)  # the seed


def test_an_unreachable_endpoint_is_one_line(built: Path) -> None:
    from servers import free_port

    result = kg("query", "works-per-year", "--endpoint", f"http://127.0.0.1:{free_port()}/query")
    assert result.exit_code == 4
    assert "cannot reach the store (connection refused)" in result.stderr
    assert "Traceback" not in result.stderr


def test_refused_credentials_at_an_endpoint(proxy) -> None:  # noqa: ANN001
    proxy.faults.auth = "basic"
    result = kg(
        "query", "works-per-year", "--endpoint", proxy.query, "--user", "kg", "--password", "wrong"
    )
    assert result.exit_code == 4 and "refused the credentials" in result.stderr
    ok = kg(
        "query",
        "works-per-year",
        "--endpoint",
        proxy.query,
        "--user",
        "kg",
        "--password",
        "s3cret",
        "--format",
        "csv",
    )
    assert ok.exit_code == 0


def test_list(built: Path) -> None:
    result = kg("query", "--list")
    assert result.exit_code == 0
    for name in LIBRARY:
        assert f"{name}: " in result.stdout
    assert "--param ror=<ror>" in result.stdout


def test_docs_describe_every_library_query() -> None:
    doc = (ROOT / "docs" / "queries.md").read_text(encoding="utf-8")
    for name, q in LIBRARY.items():
        assert f"### {name}\n" in doc, f"docs/queries.md does not describe {name}"
        assert q.examples[0] in doc, f"docs/queries.md lacks the example of {name}"
