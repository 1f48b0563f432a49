"""Reference lists and indexed citations (issue 18): what each reader puts in
``Record.references``, on the real samples (tests/data/citations/, SOURCES.md there;
the JATS samples in tests/data/samples/jats_xml; PubMed in tests/data/pubmed) and on
broken ones. The expected figures are counted from the raw files here, not copied."""

from __future__ import annotations

import csv
import json
import random
import time
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from mutations import mutations

from kg.build.pipeline import build
from kg.errors import KgError, Location
from kg.iris import IriMinter
from kg.mapping.mapper import Mapper
from kg.readers import Reject, Skipped, SourceFile, csl, jats, pubmed, read_source
from kg.readers.citation_rows import check_created, check_duration
from kg.readers.crossref import parse_work
from kg.readers.registry import scan_sources
from kg.records import Record, Reference

TESTS = Path(__file__).resolve().parent.parent
CITATIONS = TESTS / "data" / "citations"
ORGLETT = CITATIONS / "crossref_work_10.1021_acs.orglett.9b00971.json"
ELIFE_WORK = CITATIONS / "crossref_work_10.7554_elife.01567.json"
DEEP_REVIEW = CITATIONS / "manubot_crossref-deep-review-csl_raw.json"
COCI = CITATIONS / "opencitations_coci_6rows.csv"
JATS = TESTS / "data" / "samples" / "jats_xml"
JATS_FILES = [JATS / "elife" / "elife00005.xml", JATS / "pmc_oa" / "pone.0000217.nxml"]
PUBMED = TESTS / "data" / "pubmed"

Result = Record | Reject | Skipped


def crossref_work(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return data.get("message", data)


def one_record(results: list[Result]) -> Record:
    (rec,) = results
    assert isinstance(rec, Record), rec
    return rec


def read(source: SourceFile) -> list[Result]:
    return list(read_source(source))


def warned(rec: Record) -> list[str]:
    return [i.field for i in rec.issues if i.kind == "warning"]


# --- Crossref works -----------------------------------------------------------------------


@pytest.mark.parametrize("path", [ORGLETT, ELIFE_WORK], ids=lambda p: p.name)
def test_every_crossref_reference_with_a_doi_keeps_it_and_its_key(path: Path) -> None:
    raw = crossref_work(path)["reference"]
    rec = one_record(read(SourceFile(path, path.name, "crossref")))
    assert len(rec.references) == len(raw)  # every entry here gives a DOI
    assert [r.doi for r in rec.references] == [e["DOI"].lower() for e in raw]
    assert [r.label for r in rec.references] == [e["key"] for e in raw]
    assert not warned(rec)


def test_crossref_texts_are_put_together_from_the_parts() -> None:
    raw = crossref_work(ELIFE_WORK)["reference"]
    rec = one_record(read(SourceFile(ELIFE_WORK, "w.json", "crossref")))
    for entry, ref in zip(raw, rec.references, strict=True):
        assert ref.text is not None
        assert ref.text.startswith(f"{entry['author']} ({entry['year']}). ")
        assert entry["article-title"].rstrip(".") in ref.text
        assert entry["journal-title"] in ref.text and ref.text.endswith(f"doi:{ref.doi}")
    assert rec.references[0].text == (
        "Bonke (2003). APL regulates vascular tissue identity in Arabidopsis. "
        "Nature 426:181. doi:10.1038/nature02100"
    )
    # the other work's entries give only key and DOI: no text to put together
    orglett = one_record(read(SourceFile(ORGLETT, "o.json", "crossref")))
    assert all(r.text is None for r in orglett.references)


def work(references: Any) -> dict[str, Any]:
    return {"DOI": "10.5555/w", "type": "journal-article", "title": ["W"], "reference": references}


def test_a_malformed_doi_loses_itself_and_the_entry_keeps_its_text() -> None:
    rec = parse_work(
        work(
            [
                {"key": "b0", "DOI": "10.1234/ok", "doi-asserted-by": "crossref"},
                {"key": "b1", "DOI": "10.1234/ok2", "doi-asserted-by": "publisher"},
                {"key": "b2", "DOI": "not a doi", "unstructured": "Smith J. <i>A</i> book. 2000"},
                {"key": "b3", "DOI": "nope", "author": "Roe", "year": 1999, "volume-title": "V"},
            ]
        ),
        Location("w.json", "work 1"),
    )
    assert isinstance(rec, Record)
    assert rec.references == [
        Reference(doi="10.1234/ok", label="b0"),
        Reference(doi="10.1234/ok2", label="b1"),
        Reference(text="Smith J. A book. 2000", label="b2"),
        Reference(text="Roe (1999). V", label="b3"),
    ]
    assert warned(rec) == ["reference[2].DOI", "reference[3].DOI"]
    assert "'not a doi' is not a DOI" in rec.issues[0].message


@pytest.mark.parametrize(
    ("references", "fields"),
    [
        ("not a list", ["reference"]),
        ([None, 3, "x"], ["reference[0]", "reference[1]", "reference[2]"]),
        ([{"key": "only a key"}], ["reference[0]"]),
        ([{"DOI": ["10.1234/x"]}], ["reference[0].DOI", "reference[0]"]),
        ([{"DOI": "10.1234/x", "unstructured": {"a": 1}}], ["reference[0].unstructured"]),
        ([{"DOI": "10.1234/x", "key": True}], ["reference[0].key"]),
        ([{"unstructured": "bad \udcff bytes"}], ["reference[0].unstructured", "reference[0]"]),
    ],
)
def test_bad_entries_are_warnings_never_rejects(references: Any, fields: list[str]) -> None:
    rec = parse_work(work(references), Location("w.json", "work 1"))
    assert isinstance(rec, Record) and rec.doi == "10.5555/w"
    assert warned(rec) == fields


def test_a_reference_to_the_work_itself_loses_that_doi() -> None:
    rec = parse_work(
        work(
            [
                {"key": "a", "DOI": "10.5555/W", "unstructured": "Itself. 2020"},
                {"key": "b", "DOI": "10.5555/w"},
                {"key": "c", "DOI": "10.1234/other"},
            ]
        ),
        Location("w.json", "work 1"),
    )
    assert isinstance(rec, Record)
    assert rec.references == [
        Reference(text="Itself. 2020", label="a"),
        Reference(doi="10.1234/other", label="c"),
    ]
    assert [i.message for i in rec.issues] == [
        "reference 1 (a) names the work itself by its DOI; the id is left out",
        "reference 2 (b) names the work itself by its DOI; left out",
    ]


def _broken(value: Any, rng: random.Random) -> Any:
    """A reference list with entries, fields and values swapped for wrong ones."""
    junk: list[Any] = [None, 0, -1, True, [], {}, "", " ", "<b>", "\udcff", "10.", ["10.1234/x"]]
    entries = list(value)
    for _ in range(rng.randrange(1, 6)):
        i = rng.randrange(len(entries))
        entry = entries[i]
        if isinstance(entry, dict) and rng.random() < 0.8:
            entry = dict(entry)
            entry[rng.choice([*entry, "DOI", "unstructured", "key", "year"])] = rng.choice(junk)
            entries[i] = entry
        else:
            entries[i] = rng.choice(junk)
    return entries


@pytest.mark.parametrize("path", [ELIFE_WORK, DEEP_REVIEW], ids=lambda p: p.name)
def test_a_record_with_a_broken_reference_list_still_comes_through(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    item = data[0] if isinstance(data, list) else data
    rng = random.Random(len(item["reference"]))
    mapper = Mapper(IriMinter())
    for round_ in range(40):
        broken = dict(item, reference=_broken(item["reference"], rng))
        origin = Location(path.name, f"round {round_}")
        rec = csl.parse_item(broken, origin) if path == DEEP_REVIEW else parse_work(broken, origin)
        assert isinstance(rec, Record) and rec.doi == item["DOI"].lower(), round_
        assert all(r.doi or r.text for r in rec.references)
        mapper.map_record(rec)  # what was read maps without error


@pytest.mark.parametrize("path", [ELIFE_WORK, DEEP_REVIEW, COCI], ids=lambda p: p.name)
def test_mutated_files_are_read_or_rejected(tmp_path: Path, path: Path) -> None:
    reader = {".csv": "opencitations", ".json": "crossref"}[path.suffix]
    reader = "csl" if path == DEEP_REVIEW else reader
    data = path.read_bytes()
    mapper = Mapper(IriMinter())
    for i, mutated in enumerate(mutations(data, seed=len(data), rounds=6)):
        copy = tmp_path / f"m{i}{path.suffix}"
        copy.write_bytes(mutated)
        started = time.monotonic()
        try:
            results = read(SourceFile(copy, copy.name, reader))
        except KgError:  # a whole-file error, reported as one line
            results = []
        assert time.monotonic() - started < 10, f"mutation {i} too slow"
        for result in results:
            assert isinstance(result, Record | Reject | Skipped)
            if isinstance(result, Reject):
                assert str(result.error).startswith(copy.name), result.error
            else:
                if isinstance(result, Record):
                    mapper.map_record(result)


# --- CSL-JSON from Crossref ---------------------------------------------------------------


def test_the_csl_sample_keeps_its_555_references_dois_and_texts() -> None:
    (item,) = json.loads(DEEP_REVIEW.read_text(encoding="utf-8"))
    raw = item["reference"]
    rec = one_record(list(csl.read(DEEP_REVIEW, DEEP_REVIEW.name)))
    with_doi = [e for e in raw if "DOI" in e]
    names_nothing = [i for i, e in enumerate(raw) if set(e) == {"key"}]
    text_only = [e for e in raw if "DOI" not in e and set(e) != {"key"}]
    assert len(raw) == 555 and len(with_doi) == 352  # as SOURCES.md says
    # every reference with a DOI keeps it, in order; the others keep their text
    assert [r.doi for r in rec.references if r.doi] == [e["DOI"].lower() for e in with_doi]
    assert sum(1 for r in rec.references if r.doi is None) == len(text_only)
    assert len(rec.references) == len(raw) - len(names_nothing)
    assert warned(rec) == [f"reference[{i}]" for i in names_nothing]
    kept = {r.label: r for r in rec.references}
    for entry in raw:
        if "unstructured" in entry:
            assert kept[entry["key"]].text == " ".join(entry["unstructured"].split())
        elif "article-title" in entry:
            text = kept[entry["key"]].text
            assert text is not None and entry["article-title"] in text


# --- OpenCitations citation CSVs ----------------------------------------------------------


def _flag(text: str) -> bool | None:
    return {"yes": True, "no": False}.get(text)


def test_coci_rows_are_citations_with_dates_timespans_and_flags() -> None:
    with COCI.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    results = read(SourceFile(COCI, COCI.name, "opencitations", "csv"))
    assert len(results) == len(rows) == 6
    for row, rec in zip(rows, results, strict=True):
        assert isinstance(rec, Record) and not rec.describes and not rec.issues
        assert (rec.doi, rec.pmid, rec.titles) == (row["citing"].lower(), None, [])
        assert rec.references == [
            Reference(
                doi=row["cited"].lower(),
                created=row["creation"] or None,
                timespan=row["timespan"] or None,
                journal_self=_flag(row["journal_sc"]),
                author_self=_flag(row["author_sc"]),
            )
        ]
    assert results[1].origin == Location(COCI.name, "row 2 (line 3) [10.1002/jrs.5400]")


def test_a_folder_of_citations_is_read_by_header(tmp_path: Path) -> None:
    folder = tmp_path / "cites"
    folder.mkdir()
    (folder / "coci.txt").write_bytes(COCI.read_bytes())  # the header tells, not the name
    (folder / "work.json").write_bytes(ELIFE_WORK.read_bytes())
    sources = scan_sources([folder, CITATIONS])
    readers = {s.name: s.reader for s in sources.files}
    assert readers["cites/coci.txt"] == "opencitations"
    assert readers["citations/opencitations_coci_6rows.csv"] == "opencitations"
    assert readers["citations/manubot_crossref-deep-review-csl_raw.json"] == "csl"
    assert [p.name for p in sources.passed_over] == ["citations/SOURCES.md"]
    report = build([folder], tmp_path / "out.nt", validate=False)
    assert report.rejects == [] and report.records == 7


def _write(tmp_path: Path, header: str, *lines: str) -> Path:
    path = tmp_path / "citations.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


INDEX_HEADER = "oci,citing,cited,creation,timespan,journal_sc,author_sc"


def test_index_dumps_with_several_ids_and_bad_cells(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        INDEX_HEADER,
        "1-2,omid:br/061 doi:10.1234/A pmid:0123,omid:br/062 pmid:456,2020-2,P1Y2M3DT4H,yes,",
        "1-3,pmid:77,doi:10.1234/b doi:10.1234/c,2020-13-01,P,maybe,no",
        "1-4,omid:br/061,doi:10.1234/b,2020,P1Y,no,no",
        "1-5,doi:10.1234/a,omid:br/09 doi:10.x,2020,P1Y,no,no",
        "1-6,doi:10.1234/a,,2020,P1Y,no,no",
        "1-7,doi:10.1234/a,doi:10.1234/b,2020-02-30,PT,no,no",
        "1-8,doi:10.1234/A pmid:5,pmid:5,2020,P1Y,no,no",
    )
    results = read(SourceFile(path, path.name, "opencitations", "csv"))
    first, second, *rejects = results
    last = rejects.pop(3)
    assert isinstance(first, Record) and (first.doi, first.pmid) == ("10.1234/a", "123")
    assert first.references == [
        Reference(pmid="456", created="2020-02", timespan="P1Y2M3DT4H", journal_self=True)
    ]
    assert isinstance(second, Record) and (second.doi, second.pmid) == (None, "77")
    assert second.origin.record == "row 2 (line 3) [PMID 77]"
    assert second.references == [Reference(doi="10.1234/b", author_self=False)]
    assert warned(second) == ["creation", "timespan", "journal_sc"]
    assert isinstance(last, Record) and last.references[0].created is None
    assert warned(last) == ["creation", "timespan"]
    messages = [str(r.error) for r in rejects if isinstance(r, Reject)]
    assert messages == [
        "citations.csv: row 3 (line 4): field 'citing': 'omid:br/061' names the work by "
        "neither DOI nor PMID",
        "citations.csv: row 4 (line 5) [10.1234/a]: field 'cited': 'omid:br/09 doi:10.x' names "
        "the work by neither DOI nor PMID ('doi:10.x' cannot be read)",
        "citations.csv: row 5 (line 6) [10.1234/a]: field 'cited': the cell is empty: the "
        "citation needs the work's DOI or PMID",
        "citations.csv: row 7 (line 8) [10.1234/a]: field 'cited': the work cites itself: "
        "citing and cited name the same work",
    ]


def test_meta_citation_rows(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "citing_id,citing_publication_date,cited_id,cited_publication_date",
        "doi:10.1234/a,2021-09-28,doi:10.1234/B,2019",
        "doi:10.1234/a omid:br/1,,pmid:12,",
        "doi:10.1234/a,2021,omid:br/2,",
        "doi:10.1234/a,28/09/2021,doi:10.1234/c",
    )
    results = read(SourceFile(path, path.name, "opencitations", "csv"))
    first, second, reject, cut = results
    assert isinstance(first, Record) and not first.describes and first.doi == "10.1234/a"
    assert first.references == [Reference(doi="10.1234/b", created="2021-09-28")]
    assert isinstance(second, Record) and second.references == [Reference(pmid="12")]
    assert isinstance(reject, Reject) and "field 'cited_id'" in str(reject.error)
    assert isinstance(cut, Reject) and "field 'cited_publication_date'" in str(cut.error)


@pytest.mark.parametrize("text", ["P2Y9M", "P0Y6M", "P1Y", "-P1D", "PT1H", "P1DT0.5S", "P0D"])
def test_durations(text: str) -> None:
    assert check_duration(text) == text


@pytest.mark.parametrize("text", ["P", "PT", "P1", "2Y", "P1YT", "P1.5Y", "p1y", "P1Y 2M"])
def test_not_durations(text: str) -> None:
    with pytest.raises(ValueError, match="xsd:duration"):
        check_duration(text)


@pytest.mark.parametrize("text", ["20", "2020-00", "2020-1-32", "2021-02-29", "2020/01", "x"])
def test_not_creation_dates(text: str) -> None:
    with pytest.raises(ValueError):
        check_created(text)


# --- JATS -----------------------------------------------------------------------------------


def _raw_refs(path: Path) -> list[Any]:
    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True)
    return etree.parse(str(path), parser).findall(".//back/ref-list/ref")


@pytest.mark.parametrize("path", JATS_FILES, ids=lambda p: p.name)
def test_jats_samples_keep_every_ref_its_id_pmid_and_text(path: Path) -> None:
    raw = _raw_refs(path)
    rec = one_record(list(jats.read(path, path.name)))
    assert [r.label for r in rec.references] == [ref.get("id") for ref in raw]
    pmids = [(ref.findtext(".//pub-id[@pub-id-type='pmid']") or None) for ref in raw]
    dois = [(ref.findtext(".//pub-id[@pub-id-type='doi']") or None) for ref in raw]
    assert [r.pmid for r in rec.references] == pmids
    assert [r.doi for r in rec.references] == dois
    for ref, kept in zip(raw, rec.references, strict=True):
        assert kept.text is not None
        title = ref.xpath("string((.//article-title|.//source)[1])")
        assert " ".join(title.split()).rstrip(".") in kept.text
        assert ref.findtext(".//year") in kept.text
    assert [f for f in warned(rec) if f.startswith("ref-list")] == []


def test_jats_figures() -> None:
    elife, pone = (one_record(list(jats.read(p, p.name))) for p in JATS_FILES)
    assert (len(elife.references), len(pone.references)) == (46, 33)
    assert sum(1 for r in pone.references if r.pmid) == 26
    assert pone.references[0].text == (
        "McShea DW (1996). Metazoan complexity and evolution: Is there a trend? Perspective. "
        "Evolution 50:477-492"
    )


def test_a_jats_article_with_a_broken_reference_list_still_comes_through(
    tmp_path: Path,
) -> None:
    original = JATS_FILES[1]
    rng = random.Random(217)
    junk = ["", " ", "10.", "doi:", "x" * 3000, "12a", "\u00a0", "10.1234/ok"]
    mapper = Mapper(IriMinter())
    for round_ in range(20):
        parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True)
        tree = etree.parse(str(original), parser)
        refs = tree.findall(".//back/ref-list/ref")
        for ref in rng.sample(refs, 8):
            what = rng.randrange(5)
            if what == 0:  # ids that are not ids
                for pid in ref.iter("pub-id"):
                    pid.text = rng.choice(junk)
                    pid.set("pub-id-type", rng.choice(["doi", "pmid", "DOI", ""]))
            elif what == 1:  # the citation gone
                for child in list(ref):
                    ref.remove(child)
            elif what == 2:  # an entity the DTD would define, and one nobody defines
                citation = ref.find("citation")
                if citation is not None:
                    citation.append(etree.Entity("eacute"))
                    citation.append(etree.Entity("nosuchentity"))
            elif what == 3:  # a ref in a ref, an empty mixed citation
                ref.append(etree.fromstring("<ref id=''><mixed-citation> </mixed-citation></ref>"))
            else:
                ref.attrib.clear()
        path = tmp_path / f"a{round_}.xml"
        tree.write(str(path))
        rec = one_record(list(jats.read(path, path.name)))
        assert rec.doi == "10.1371/journal.pone.0000217", round_
        assert all(r.doi or r.pmid or r.text for r in rec.references)
        mapper.map_record(rec)


ARTICLE = """<article article-type="research-article"><front><article-meta>
<article-id pub-id-type="doi">10.5555/a</article-id>
<title-group><article-title>A</article-title></title-group></article-meta></front>
<back><ref-list>{refs}</ref-list></back></article>"""


def test_jats_mixed_citations_alternatives_and_bad_ids(tmp_path: Path) -> None:
    refs = """
    <ref id="r1"><label>1</label><mixed-citation publication-type="journal">
      <person-group><name><surname>Smith</surname>, <given-names>J</given-names></name>
      </person-group>. <article-title>Title</article-title>.  <source>J</source> 2001;
      <pub-id pub-id-type="doi">10.1234/R1</pub-id></mixed-citation></ref>
    <ref id="r2"><citation-alternatives>
      <element-citation><person-group><name><surname>Roe</surname></name><etal/></person-group>
      <year>1999</year><source>Book</source></element-citation>
      <mixed-citation>Roe et al. Book. 1999.</mixed-citation></citation-alternatives></ref>
    <ref id="r3"><element-citation><pub-id pub-id-type="doi">not a doi</pub-id>
      <pub-id pub-id-type="pmid">12a</pub-id></element-citation></ref>
    <ref><label>[4]</label><element-citation><collab>WHO</collab><year>2020</year>
      <source>Report</source><fpage>3</fpage><lpage>9</lpage></element-citation></ref>
    """
    path = tmp_path / "a.xml"
    path.write_text(ARTICLE.format(refs=refs), encoding="utf-8")
    rec = one_record(list(jats.read(path, path.name)))
    assert rec.references == [
        Reference(doi="10.1234/r1", text="Smith, J. Title. J 2001; 10.1234/R1", label="r1"),
        Reference(text="Roe et al. Book. 1999.", label="r2"),
        Reference(text="WHO (2020). Report 3-9", label="[4]"),
    ]
    assert warned(rec) == ["ref-list/ref[3]/pub-id", "ref-list/ref[3]/pub-id", "ref-list/ref[3]"]


# --- PubMed XML -----------------------------------------------------------------------------


def test_pubmed_cites_links_and_reference_lists() -> None:
    retracted = one_record(list(pubmed.read(PUBMED / "neilfws_example_retracted_pmid993.xml", "p")))
    tree = etree.parse(str(PUBMED / "neilfws_example_retracted_pmid993.xml"))
    cites = tree.findall(".//CommentsCorrections[@RefType='Cites']")
    assert [(r.pmid, r.text) for r in retracted.references] == [
        (c.findtext("PMID"), c.findtext("RefSource")) for c in cites
    ]
    assert len(cites) == 10
    results = list(pubmed.read(PUBMED / "ncbiutils_pubmed_5articles.xml", "p"))
    tree = etree.parse(str(PUBMED / "ncbiutils_pubmed_5articles.xml"))
    for article, rec in zip(tree.getroot(), results, strict=True):
        assert isinstance(rec, Record)
        listed = article.findall("PubmedData/ReferenceList/Reference")
        assert [(r.pmid, r.text) for r in rec.references] == [
            (e.findtext("ArticleIdList/ArticleId[@IdType='pubmed']"), e.findtext("Citation"))
            for e in listed
        ]
    assert [len(r.references) for r in results if isinstance(r, Record)] == [0, 0, 0, 72, 0]


PUBMED_ARTICLE = """<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID>
<Article><ArticleTitle>T.</ArticleTitle></Article>
<CommentsCorrectionsList>
<CommentsCorrections RefType="Cites"><RefSource>J. 2001. doi: 10.1234/cc</RefSource>
<PMID>22</PMID></CommentsCorrections>
<CommentsCorrections RefType="Cites"><RefSource>K. 2002</RefSource><PMID>33</PMID>
</CommentsCorrections>
<CommentsCorrections RefType="Cites"><RefSource></RefSource><PMID>x</PMID>
</CommentsCorrections>
</CommentsCorrectionsList></MedlineCitation>
<PubmedData><ReferenceList><Reference><Citation>K. 2002.</Citation><ArticleIdList>
<ArticleId IdType="pubmed">33</ArticleId><ArticleId IdType="doi">10.1234/RL</ArticleId>
</ArticleIdList></Reference><Reference><ArticleIdList><ArticleId IdType="doi">bad</ArticleId>
</ArticleIdList></Reference></ReferenceList></PubmedData></PubmedArticle></PubmedArticleSet>"""


def test_pubmed_lists_first_then_cites_not_listed_and_bad_ids_warned(tmp_path: Path) -> None:
    path = tmp_path / "p.xml"
    path.write_text(PUBMED_ARTICLE, encoding="utf-8")
    rec = one_record(list(pubmed.read(path, path.name)))
    assert rec.references == [
        Reference(doi="10.1234/rl", pmid="33", text="K. 2002."),
        Reference(doi="10.1234/cc", pmid="22", text="J. 2001. doi: 10.1234/cc"),
    ]
    assert warned(rec) == [
        "ReferenceList/Reference[2]/ArticleId",
        "ReferenceList/Reference[2]",
        "CommentsCorrections[3]/PMID",
        "CommentsCorrections[3]",
    ]
