"""Units cut as byte ranges (``units(..., spans=True)``, what ``--workers`` reads) give
the records, line numbers, rejects and byte counts that units of lines give."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from kg.readers.registry import find_sources, read_unit, units

_WORK = {"type": "journal-article", "title": ["A title"]}

# a line: a work, a broken line, a blank line (with \r or spaces), a BOM-less work with \r in it
_LINES = st.sampled_from(
    [
        lambda n: json.dumps({**_WORK, "DOI": f"10.1234/w.{n}"}),
        lambda n: json.dumps({**_WORK, "DOI": f"10.1234/w.{n}", "title": ["Тема\u2028 №"]}),
        lambda n: '{"DOI": "10.1234/broken',
        lambda n: "",
        lambda n: "  \r",
        lambda n: json.dumps({**_WORK, "DOI": f"10.1234/w.{n}"}).replace(",", ",\r", 1),
    ]
)


def _read(path: Path, size: int, spans: bool) -> tuple[list[str], list[int], list[int]]:
    (source,) = find_sources([path])
    cut = list(units(source, size, spans=spans))
    items = [repr(item) for unit in cut for item in read_unit(unit)]
    return items, [u.first_line for u in cut], [u.size for u in cut]


@settings(max_examples=60, deadline=None)
@given(
    lines=st.lists(_LINES, min_size=1, max_size=25),
    size=st.integers(min_value=1, max_value=7),
    final_newline=st.booleans(),
)
def test_spans_read_what_lines_read(
    tmp_path_factory, lines: list, size: int, final_newline: bool
) -> None:
    path = tmp_path_factory.mktemp("spans") / "works.jsonl"
    text = "\n".join(make(n) for n, make in enumerate(lines)) + ("\n" if final_newline else "")
    path.write_bytes(text.encode("utf-8"))
    by_lines = _read(path, size, spans=False)
    by_spans = _read(path, size, spans=True)
    assert by_spans == by_lines
    assert sum(by_spans[2]) == len(text.encode("utf-8"))


def test_a_compressed_file_is_cut_into_lines(tmp_path: Path) -> None:
    import gzip

    path = tmp_path / "works.jsonl.gz"
    path.write_bytes(
        gzip.compress(
            b"".join(
                json.dumps({**_WORK, "DOI": f"10.1234/w.{n}"}).encode() + b"\n" for n in range(5)
            )
        )
    )
    (source,) = find_sources([path])
    cut = list(units(source, 2, spans=True))
    assert [u.span for u in cut] == [None, None, None]
    assert [len(u.lines or []) for u in cut] == [2, 2, 1]
