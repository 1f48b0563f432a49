"""Broken encodings repaired in every reader's text (issue 16, point 1), and names and
titles Retraction Watch gives in two scripts (point 2)."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import ftfy.bad_codecs  # noqa: F401  (registers sloppy-windows-1252 and -1251)
import pyoxigraph as ox
import pytest

from kg.build.pipeline import build
from kg.errors import Location
from kg.readers import fields
from kg.readers.context import ReaderContext
from kg.readers.normalize import REPAIRS, clean_text, has_mojibake, repair_encoding, squeeze
from kg.readers.retraction_watch import author, parse_row
from kg.records import REPAIRED

TESTS = Path(__file__).resolve().parent.parent
EXCERPT = (
    TESTS
    / "data"
    / "detect"
    / "retraction_watch"
    / "rw_lifesci_subset_cyrillic_mojibake_authors_3rows.csv"
)
HANDMADE = TESTS / "data" / "encoding" / "rw_cyrillic_mojibake_handmade_1row.csv"
BASE = "https://example.org/kg/"
FOAF = "http://xmlns.com/foaf/0.1/"

RIGHT = {
    "Cyrillic": "Иван Петрович Сидоров: «Журнал» № 5 — в городе Томске",
    "Ukrainian": "Шевченко Тарас Григорович, Київ, Україна",
    "Greek": "Ελληνικά κείμενα για την ανάλυση δεδομένων",
    "accented Latin": "Müller, García-López, naïve façade, Øre, Łódź, Śląsk, café’s «crème»",
    "CJK": "漢字かな交じり文と한국어 텍스트",
    "emoji": "Results 😀🎉 (n = 12) — ✓",
    "Icelandic": "Þórður Ðaníelsson, Reykjavík",
}


def mojibake(text: str, codec: str) -> str:
    """``text`` as UTF-8 read as ``codec``: undefined bytes kept as C1 controls (sloppy)."""
    return text.encode("utf-8").decode(codec)


@pytest.mark.parametrize("kind", sorted(RIGHT))
def test_text_that_was_right_is_left_as_it_is(kind: str) -> None:
    text = RIGHT[kind]
    assert repair_encoding(text) == (text, True)
    REPAIRS.clear()
    assert clean_text(text) == text
    assert not REPAIRS
    assert not has_mojibake(text)


@pytest.mark.parametrize("codec", ["sloppy-windows-1252", "latin-1"])
@pytest.mark.parametrize("kind", sorted(RIGHT))
def test_mojibake_of_each_script_is_repaired(kind: str, codec: str) -> None:
    text = RIGHT[kind]
    broken = mojibake(text, codec)
    assert broken != text and has_mojibake(broken)
    REPAIRS.clear()
    assert clean_text(broken) == text
    assert REPAIRS == [(broken, text, True)]
    REPAIRS.clear()


@pytest.mark.parametrize("kind", ["Cyrillic", "CJK", "emoji"])
def test_utf8_read_as_windows_1251_is_repaired(kind: str) -> None:
    text = RIGHT[kind]
    assert repair_encoding(mojibake(text, "sloppy-windows-1251")) == (text, True)


def test_mojibake_beside_text_that_was_right() -> None:
    broken = "café’s " + mojibake("Иван", "sloppy-windows-1252")
    assert repair_encoding(broken) == ("café’s Иван", True)
    # UTF-8 read as Windows-1252 twice
    twice = mojibake(mojibake("Иван Петров", "sloppy-windows-1252"), "sloppy-windows-1252")
    assert repair_encoding(twice) == ("Иван Петров", True)


def test_lost_bytes_keep_the_part_that_cannot_be_repaired_as_given() -> None:
    # The issue's example: 0x90 and 0x9D (undefined in Windows-1252) lost, the no-break
    # space of 'Р' (D0 A0) turned into a space. ftfy alone writes 'ИВÐРПЕТРОВИЧ'.
    given = "Ivan Petrovich (Ð˜Ð’ÐÐ ÐŸÐ•Ð¢Ð ÐžÐ’Ð˜Ð§) Sidorov (Ð¡Ð˜Ð”ÐžÐ ÐžÐ’)"
    assert repair_encoding(given) == (
        "Ivan Petrovich (Ð˜Ð’ÐÐ ÐŸÐ•Ð¢Ð ÐžÐ’Ð˜Ð§) Sidorov (СИДОРОВ)",
        False,
    )
    assert has_mojibake("ИВÐРПЕТРОВИЧ")
    # one text that cannot be repaired, with nothing to cut it at: kept whole
    lost = "Ð˜Ð’ÐÐ ÐŸÐ•Ð¢Ð ÐžÐ’Ð˜Ð§"
    assert repair_encoding(lost) == (lost, False)


def test_a_reader_context_counts_repaired_fields_and_warns_of_lost_bytes() -> None:
    ctx = ReaderContext(Location("x.csv", "row 1"))
    assert ctx.read("Title", clean_text, mojibake("Заголовок", "sloppy-windows-1252")) == (
        "Заголовок"
    )
    assert ctx.plain("Abstract", "<p>" + mojibake("Résumé", "latin-1") + "</p>") == "Résumé"
    assert ctx.read("Journal", clean_text, "Journal") == "Journal"
    ctx.lenient("Author", clean_text, "Ð˜Ð’ÐÐ ÐŸÐ•Ð¢Ð ÐžÐ’Ð˜Ð§")
    assert [(i.field, i.kind) for i in ctx.issues] == [
        ("Title", REPAIRED),
        ("Abstract", REPAIRED),
        ("Author", "warning"),
    ]
    assert "lost bytes" in ctx.issues[-1].message
    assert not REPAIRS


def test_repairs_made_before_a_reader_makes_its_context_are_that_records() -> None:
    REPAIRS.clear()
    assert clean_text(mojibake("Томск", "sloppy-windows-1252")) == "Томск"
    ctx = ReaderContext(Location("page.txt"))
    assert [i.kind for i in ctx.issues] == [REPAIRED] and not REPAIRS


def test_match_case_and_two_scripts() -> None:
    assert fields.match_case("ИВАН ПЕТРОВИЧ", "Ivan Petrovich") == "Иван Петрович"
    assert fields.match_case("IVAN", "Иван") == "Ivan"
    assert fields.match_case("ИВАН", "IVAN") == "ИВАН"  # both capitals: as given
    assert fields.match_case("Анна-Мария", "ANNA-MARIA") == "Анна-Мария"
    assert fields.match_case("АННА-МАРИЯ", "Anna-Maria") == "Анна-Мария"
    assert fields.two_scripts("Title (Заголовок)") == ("Title", "Заголовок")
    assert fields.two_scripts("Заголовок (Title)") is None
    assert fields.two_scripts("Cells (HeLa) in culture") is None
    assert fields.two_scripts("Title (Ð—Ð°Ð³Ð¾Ð»Ð¾Ð²Ð¾Ðº)") is None  # not repaired: not Cyrillic
    assert fields.cyrillic_language("Бережная") == "ru"
    assert fields.cyrillic_language("Ґонта Іван") == "uk"
    assert fields.cyrillic_language("Ўладзімір") == "be"


def names(text: str) -> list[tuple[str, str, str | None, str | None]]:
    ctx = ReaderContext(Location("rw.csv"))
    a = author(ctx, clean_text(text))  # type: ignore[arg-type]
    return [(s.lang, s.name, s.family, s.given) for s in a.scripts]


def test_a_person_in_two_scripts() -> None:
    assert names("Ivan Petrovich (ИВАН ПЕТРОВИЧ) Sidorov (СИДОРОВ)") == [
        ("ru", "Иван Петрович Сидоров", "Сидоров", "Иван Петрович"),
        ("ru-Latn", "Ivan Petrovich Sidorov", "Sidorov", "Ivan Petrovich"),
    ]
    # a Latin letter in the Cyrillic slot: that slot is not Cyrillic, the other is
    assert names("L R (Л P) Khrapal (Храпаль)") == [
        ("ru", "Храпаль", "Храпаль", None),
        ("ru-Latn", "L R Khrapal", "Khrapal", "L R"),
    ]
    assert names("O V (O B) Berezhnaya (Бережная)")[0] == ("ru", "Бережная", "Бережная", None)
    # a name alone in two scripts: no family or given name is guessed
    assert names("Sidorov (Сидоров)") == [
        ("ru", "Сидоров", None, None),
        ("ru-Latn", "Sidorov", None, None),
    ]
    # parentheses that hold no Cyrillic, and no parentheses: the name as given
    assert names("John (Jack) Smith (Jr)") == []
    assert names("Lu Chen") == []
    ukrainian = names("Taras (Тарас) Shevchenko (Шевченко Ґ)")
    assert [s[0] for s in ukrainian] == ["uk", "uk-Latn"]


def excerpt_with_titles(folder: Path) -> Path:
    """The real excerpt (Record ID and Author only, so every row is rejected as it is),
    with a title and a DOI added to each row."""
    rows = list(csv.DictReader(io.StringIO(EXCERPT.read_text(encoding="utf-8"))))
    out = io.StringIO()
    columns = ["Record ID", "Title", "Journal", "OriginalPaperDOI", "Author"]
    writer = csv.DictWriter(out, columns)
    writer.writeheader()
    for row in rows:
        rid = row["Record ID"]
        added = {"Title": f"Paper {rid}", "Journal": "J", "OriginalPaperDOI": f"10.5555/rw.{rid}"}
        writer.writerow(row | added)
    path = folder / EXCERPT.name
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def literals(path: Path) -> list[ox.Literal]:
    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
    return [q.object for q in store if isinstance(q.object, ox.Literal)]


def person_names(path: Path, lang: str) -> list[str]:
    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
    return sorted(
        q.object.value
        for q in store.quads_for_pattern(None, ox.NamedNode(FOAF + "name"), None)
        # pyoxigraph gives language tags in lower case (they are compared so)
        if isinstance(q.object, ox.Literal) and q.object.language == lang.lower()
    )


def test_the_cyrillic_retraction_watch_excerpt_writes_no_mojibake(tmp_path: Path) -> None:
    source = excerpt_with_titles(tmp_path)
    out = tmp_path / "out.nt"
    report = build([source], out)
    assert (report.records, report.built, len(report.rejects)) == (3, 3, 0), report.summary()
    assert report.validation is not None and report.validation.conforms, report.summary()
    assert report.files[0].repaired == 3  # the Author cell of each row
    assert "3 record(s) read by the retraction-watch reader, 3 field(s) repaired (mojibake)" in (
        report.summary()
    )
    found = literals(out)
    assert found and not [lit.value for lit in found if has_mojibake(lit.value)]
    assert not [lit.value for lit in found if re.search("[ÐÑÃÂ]", lit.value)]
    # every person has a name in Cyrillic, and the same in Latin
    cyrillic = person_names(out, "ru")
    assert len(cyrillic) == len(person_names(out, "ru-Latn")) == 7
    assert all(fields.is_cyrillic(n) for n in cyrillic)
    assert "Абдурасул Халифаевич Абдуллоев" in cyrillic
    assert "Н З Смирнова" in cyrillic and "Бережная" in cyrillic and "Храпаль" in cyrillic
    # 'O B' and 'Л P' are not Cyrillic: left out, with a warning each
    warned = [i.message for _, i in report.issues if "is not a name in Cyrillic" in i.message]
    assert len(warned) == 2


def test_a_hand_made_row_with_a_mojibake_author_journal_and_title(tmp_path: Path) -> None:
    out = tmp_path / "out.nt"
    report = build([HANDMADE], out)
    assert report.validation is not None and report.validation.conforms, report.summary()
    assert report.files[0].repaired == 4  # title, institution, journal, authors
    found = literals(out)
    assert not [lit.value for lit in found if has_mojibake(lit.value)]
    tagged = {(lit.value, lit.language) for lit in found if lit.language in ("ru", "ru-latn")}
    assert {
        ("Клинические особенности клещевого энцефалита в томской области", "ru"),
        ("Бюллетень сибирской медицины", "ru"),
        ("Сибирский государственный медицинский университет", "ru"),
        ("Иван Петрович Сидоров", "ru"),
        ("Ivan Petrovich Sidorov", "ru-latn"),
        ("Иван Петрович", "ru"),
        ("Сидоров", "ru"),
        ("Sidorov", "ru-latn"),
        ("Анна Александровна Карташова", "ru"),
    } <= tagged
    titles = {lit.value for lit in found if lit.language == "und"}
    assert "Clinical features of tick-borne encephalitis in the Tomsk region" in titles
    assert "Bulletin of Siberian Medicine" in titles
    assert "@ru-Latn ." in out.read_text(encoding="utf-8")  # as BCP 47 writes it
    # --report: the count per file
    doc = json.loads(report.to_json())
    assert doc["files"][0]["repaired"] == 4
    # records mapped in worker processes carry their repairs to the count
    two = build([HANDMADE], tmp_path / "two.nt", workers=2, validate=False)
    assert two.files[0].repaired == 4
    assert (tmp_path / "two.nt").read_bytes() == out.read_bytes()


def test_lost_bytes_in_a_name_leave_that_part_out(tmp_path: Path) -> None:
    row = {
        "Record ID": "1",
        "Title": "T",
        "OriginalPaperDOI": "10.5555/rw.1",
        "Author": "Ivan Petrovich (Ð˜Ð’ÐÐ ÐŸÐ•Ð¢Ð ÐžÐ’Ð˜Ð§) Sidorov (Ð¡Ð˜Ð”ÐžÐ ÐžÐ’)",
    }
    rec = parse_row(row, Location("rw.csv", "row 1"))
    (person,) = rec.authors
    assert [(s.lang, s.name, s.given) for s in person.scripts] == [
        ("ru", "Сидоров", None),
        ("ru-Latn", "Ivan Petrovich Sidorov", "Ivan Petrovich"),
    ]
    messages = [(i.field, i.kind, i.message) for i in rec.issues]
    assert [m[:2] for m in messages] == [
        ("Author", REPAIRED),
        ("Author", "warning"),
        ("Author", "warning"),
    ]
    assert "lost bytes" in messages[1][2] and "not a name in Cyrillic" in messages[2][2]


def test_lost_bytes_in_a_title_leave_that_title_out() -> None:
    journal = "Vestnik (Ð’ÐµÑÑ‚Ð½Ð¸Ðº)"  # 0x81 of 'с' (D1 81) lost, twice
    row = {"Record ID": "2", "Title": "T (Ð¢)", "Journal": journal, "Author": "A"}
    row |= {"OriginalPaperDOI": "10.5555/rw.2"}
    rec = parse_row(row, Location("rw.csv", "row 1"))
    assert rec.titles == [("T", "und"), ("Т", "ru")]
    assert rec.journal is not None and rec.journal.titles == [("Vestnik", "und")]
    assert [i.field for i in rec.issues if i.kind == "warning"] == ["Journal", "Journal"]


# Real samples of each reader that hold text outside ASCII: the same file in mojibake
# (UTF-8 read as Windows-1252) builds the same graph.
SAMPLES = [
    "cases/formats/ris/pubmed_style.ris",
    "data/samples/crossref_api/oc_meta_fixtures/qss_a_00292.json",
    "data/samples/opencitations_meta/input_csv/test_data_collect_identifiers_ru.csv",
    "cases/formats/pages/highwire-several-authors.html",
    "cases/formats/pages/dc-only.html",
    "data/samples/retraction_watch/rw_official_columns_radiology_6rows.csv",
    "data/samples/ris/litsearchr/scopus_92.ris",
    "cases/formats/jats/retracted_target.xml",
    "cases/formats/pages/libartrus-ru-2012-1-1-30.txt",
    "cases/formats/pages/ojs-article.html",
    "cases/all-features/records.yaml",
    "data/pubmed/ncbiutils_pubmed_5articles.xml",
    "data/detect/csl/zotero-chinese_gbt7714-data.json",
    # data/examples.yaml is not here: YAML refuses the C1 controls its Cyrillic's
    # mojibake holds (0x81, 0x8F, 0x90, 0x9D), so the file is not read at all
]


@pytest.mark.parametrize("sample", SAMPLES)
def test_a_sample_in_mojibake_builds_the_same_graph(sample: str, tmp_path: Path) -> None:
    given = TESTS / sample
    (tmp_path / "right").mkdir()
    (tmp_path / "broken").mkdir()
    right = tmp_path / "right" / given.name
    shutil.copy(given, right)
    broken = tmp_path / "broken" / given.name
    text = given.read_text(encoding="utf-8")
    broken.write_text(mojibake(text, "sloppy-windows-1252"), encoding="utf-8")
    one = build([right], tmp_path / "right.nt", validate=False)
    two = build([broken], tmp_path / "broken.nt", validate=False)
    assert (two.records, two.built) == (one.records, one.built)
    assert two.files[0].reader == one.files[0].reader
    assert one.files[0].repaired == 0 and two.files[0].repaired > 0
    assert (tmp_path / "broken.nt").read_bytes() == (tmp_path / "right.nt").read_bytes()


def test_white_space_is_squeezed_as_the_regular_expression_would() -> None:
    """squeeze() (str.split) takes the place of re's \\s+ because both call the same code
    points white space: every one of them is checked, alone and between words."""
    ws = re.compile(r"\s+")
    for code in range(0x110000):
        ch = chr(code)
        if 0xD800 <= code <= 0xDFFF:
            continue  # lone surrogates: no text kg reads holds them
        text = f"a{ch}{ch}b {ch}"
        assert squeeze(text) == ws.sub(" ", text).strip(), hex(code)
