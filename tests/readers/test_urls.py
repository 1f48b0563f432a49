"""Every IRI kg writes is valid, whatever URL a record gives (issue 15, point 3).

Arbitrary strings go through every reader's URL fields; what comes out is either
left out with a warning naming the field, or written as an IRI that pyoxigraph
(RFC 3987) and rdflib both parse. The build never fails on a URL.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.iris import IriMinter
from kg.mapping.mapper import Mapper
from kg.readers import Reject, find_sources, read_source
from kg.readers.normalize import check_url
from kg.records import Record

MAPPER = Mapper(IriMinter())


def _crossref(url: str) -> tuple[str, str]:
    work = {
        "DOI": "10.1000/url-test",
        "type": "journal-article",
        "title": ["A work"],
        "resource": {"primary": {"URL": url}},
        "license": [{"URL": url}],
    }
    return "work.json", json.dumps({"message": work})


def _native(url: str) -> tuple[str, str]:
    record = {
        "title": "A work",
        "url": url,
        # a source without "://" is a name (a text field), not a URL
        "status": [
            {"type": "retracted", "source": [url] if "://" in url else [], "notice": {"url": url}}
        ],
    }
    return "record.json", json.dumps(record)


def _ris(url: str) -> tuple[str, str]:
    clean = " ".join(url.split())  # one line, as RIS holds it
    return "export.ris", f"TY  - JOUR\nTI  - A work\nUR  - {clean}\nER  - \n"


def _bibtex(url: str) -> tuple[str, str]:
    clean = " ".join(url.replace("{", "").replace("}", "").replace("\\", "").split())
    return "export.bib", f"@article{{key1,\n  title = {{A work}},\n  url = {{{clean}}}\n}}\n"


READERS: dict[str, Callable[[str], tuple[str, str]]] = {
    "crossref": _crossref,
    "native": _native,
    "ris": _ris,
    "bibtex": _bibtex,
}


def _read(tmp: Path, make: Callable[[str], tuple[str, str]], url: str) -> list[Record | Reject]:
    name, text = make(url)
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    (source,) = find_sources([path])
    return [item for item in read_source(source) if isinstance(item, Record | Reject)]


def _ntriples(rec: Record) -> str:
    mapped = MAPPER.map_record(rec)
    return "".join(f"{b.subject} {p} {o} .\n" for b in mapped.blocks for p, o in b.pairs)


def _check(items: list[Record | Reject]) -> None:
    for item in items:
        assert isinstance(item, Record), f"a URL rejected a record: {item}"
        text = _ntriples(item)
        list(ox.parse(text.encode(), format=ox.RdfFormat.N_TRIPLES))  # raises if invalid
        rdflib.Graph().parse(data=text, format="nt")
        for issue in item.issues:
            assert issue.field and issue.message


URLS = st.one_of(
    st.text(max_size=40),
    st.builds(
        lambda scheme, rest: f"{scheme}://{rest}",
        st.sampled_from(["http", "https", "ftp", "urn:x"]),
        st.text(max_size=60),
    ),
    st.builds(
        lambda rest: f"https://journal.example.org/{rest}",
        st.text(alphabet='[]{}|\\^`<>"% #?&=é\u00a0\ue000\ufdd0azAZ09/:@', max_size=30),
    ),
)


@pytest.mark.parametrize("reader", sorted(READERS))
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(url=URLS)
def test_any_url_gives_valid_iris_or_a_warning(tmp_path: Path, reader: str, url: str) -> None:
    _check(_read(tmp_path, READERS[reader], url))


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        (
            "https://journal.example.org/article?id[]=1",
            "https://journal.example.org/article?id%5B%5D=1",
        ),
        ("https://journal.example.org/100%zz", "https://journal.example.org/100%25zz"),
        ("https://journal.example.org/a#b#c", "https://journal.example.org/a#b%23c"),
        ("http://[2001:db8::1]:8080/x", "http://[2001:db8::1]:8080/x"),
        ("https://doi.org/10.1000/a b", "https://doi.org/10.1000/a%20b"),
    ],
)
def test_a_url_is_percent_encoded_into_a_valid_iri(url: str, kept: str) -> None:
    assert check_url(url) == kept
    ox.NamedNode(kept)


def test_a_url_no_encoding_can_save_is_left_out_with_a_warning(tmp_path: Path) -> None:
    items = _read(tmp_path, _native, "http://journal.example.org:port/x")
    (rec,) = items
    assert isinstance(rec, Record)
    assert rec.url is None and rec.statuses[0].sources == []
    fields = {issue.field for issue in rec.issues}
    assert {"url", "status[0].source[0]", "status[0].notice.url"} <= fields
    _check(items)


def test_a_build_with_bad_urls_writes_output_that_parses(tmp_path: Path) -> None:
    from kg.build.pipeline import build

    src = tmp_path / "records.json"
    src.write_text(
        json.dumps(
            [
                {
                    "title": "Bracketed",
                    "url": "https://journal.example.org/article?id[]=1",
                    "status": [
                        {"type": "retracted", "source": ["https://journal.example.org/%zz"]}
                    ],
                },
                {"title": "Broken port", "url": "https://journal.example.org:x/"},
            ]
        ),
        encoding="utf-8",
    )
    out = tmp_path / "out.nt"
    report = build([src], out)
    assert report.built == 2 and not report.rejects
    assert report.validation is not None
    text = out.read_text(encoding="utf-8")
    list(ox.parse(text.encode(), format=ox.RdfFormat.N_TRIPLES))
    assert "<https://journal.example.org/%25zz>" in text
    assert '"https://journal.example.org/article?id%5B%5D=1"' in text
