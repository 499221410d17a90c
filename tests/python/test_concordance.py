"""Fixed-width concordance parsing (documented layout and -stru layouts) and loading by year."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest
from fake_census import FakeCensus

from ingestion import warehouse
from ingestion.census_client import decode_census_file
from ingestion.cli import main
from ingestion.concordance import (
    DOCUMENTED_LAYOUT,
    Field,
    ingest_concordance,
    parse_concordance,
    parse_structure,
)
from ingestion.errors import UserError
from ingestion.paths import REPO_ROOT

# the Census 2022 imp-code.txt as CSV (read at run time, never committed); see ../shared/reference/README.md
REFERENCE_CSV = REPO_ROOT.parent / "shared" / "reference" / "paper" / "census_imp_code_2022.csv"


def fixed_width(records: list[dict[str, str]], layout=DOCUMENTED_LAYOUT, cut: dict[int, int] | None = None) -> str:
    """Lines with each value at its layout position; `cut` = {record index: line length} truncates a line."""
    width = max(f.end for f in layout)
    lines = ["COMMODITY  DESCRIPTION (header line, skipped)", ""]
    for i, record in enumerate(records):
        line = [" "] * width
        for f in layout:
            value = record.get(f.column, "")[: f.end - f.start + 1]
            line[f.start - 1 : f.start - 1 + len(value)] = list(value)
        text = "".join(line).rstrip()
        if cut and i in cut:
            text = text[: cut[i]]
        lines.append(text)
    return "\r\n".join(lines) + "\r\n"


LONG = "HORSES, LIVE, PUREBRED BREEDING, MALE, " + "X" * 140  # longer than the 150-char field
RECORDS = [
    {
        "hs10": "0101210010",
        "description_long": LONG,
        "description_short": "HORSES PUREBRED BREEDING MALE",
        "unit_qy1": "NO",
        "sitc": "00150",
        "end_use": "00100",
        "naics": "112920",
        "usda": "1",
        "hitech": "00",
    },
    {
        "hs10": "8471300100",
        "description_long": "PORTABLE DIGITAL AUTOMATIC DATA PROCESSING MACHINES",
        "description_short": "PORTABLE ADP MACHINES",
        "unit_qy1": "NO",
        "unit_qy2": "KG",
        "sitc": "75200",
        "end_use": "21300",
        "naics": "3341XX",
        "usda": "0",
        "hitech": "04",
    },
    {
        "hs10": "8542310001",
        "description_long": "PROCESSORS AND CONTROLLERS, ELECTRONIC INTEGRATED CIRCUITS",
        "description_short": "PROCESSORS",
        "unit_qy1": "NO",
        "sitc": "77640",
        "end_use": "21320",
        "naics": "334413",
        "usda": "0",
        "hitech": "05",
    },
]


def test_documented_layout_with_edge_cases():
    # the third line is cut inside its long description: the rest of its fields are null
    table = parse_concordance(fixed_width(RECORDS, cut={2: 40}), 2025)
    rows = table.to_pylist()
    assert [r["hs10"] for r in rows] == ["0101210010", "8471300100", "8542310001"]  # leading zero kept
    assert rows[0]["description_long"] == LONG[:150] and len(rows[0]["description_long"]) == 150
    assert rows[0]["end_use"] == "00100" and rows[0]["sitc"] == "00150" and rows[0]["unit_qy2"] is None
    assert rows[1]["naics"] == "3341XX" and rows[1]["unit_qy2"] == "KG" and rows[1]["hitech"] == "04"
    assert rows[2]["description_long"] == "PROCESSORS AND CONTROLLERS, EL"  # cut mid-word
    assert rows[2]["description_short"] is None and rows[2]["naics"] is None
    assert set(table["year"].to_pylist()) == {2025}


def test_structure_file_layout_is_used_when_given():
    stru = """IMP-CODE.TXT RECORD LAYOUT
    CHARACTER POSITION   NAME
    1-10      COMMODITY       (HTS 10-digit)
    12-161    DESCRIPTION LONG
    163-212   ABBREVIATN
    214-216   UNIT_QY1
    218-220   UNIT_QY2
    222-226   SITC
    228-232   END_USE
    234       USDA
    236-241   NAICS
    243-244   HITECH
    """
    layout = parse_structure(stru)
    assert Field("naics", 236, 241) in layout and Field("hs10", 1, 10) in layout
    assert Field("description_long", 12, 161) in layout and Field("usda", 234, 234) in layout
    rows = parse_concordance(fixed_width(RECORDS, layout), 2024, layout).to_pylist()
    assert rows[1]["naics"] == "3341XX" and rows[1]["end_use"] == "21300" and rows[0]["usda"] == "1"
    with pytest.raises(UserError, match="COMMODITY"):
        parse_structure("nothing useful here")


def test_bad_lines_are_named():
    with pytest.raises(UserError, match="already on line"):
        parse_concordance(fixed_width([RECORDS[0], RECORDS[0]]), 2025)
    with pytest.raises(UserError, match="no concordance lines"):
        parse_concordance("just a header\n", 2025)


def test_download_by_year_side_by_side_and_replace(tmp_path):
    db = tmp_path / "w.duckdb"
    prefix = "/foreign-trade/schedules/b"
    revised = [dict(RECORDS[0], description_short="HORSES (REVISED)"), RECORDS[1]]
    with FakeCensus(
        key="unused",
        data={},
        static={
            f"{prefix}/2024/imp-code.txt": fixed_width(RECORDS).encode("latin-1"),
            f"{prefix}/2025/imp-code.txt": fixed_width(RECORDS[:2]).encode("latin-1"),
            f"{prefix}/2024/exp-code.txt": fixed_width(RECORDS[1:]).encode("latin-1"),
        },
    ) as fake:
        base = fake.root_url + prefix
        assert main(["ingest", "concordance", "--year", "2024", "--base-url", base, "--db", str(db)]) == 0
        con = warehouse.connect(db)
        try:
            result = ingest_concordance(con, 2025, "imports", base_url=base)
            assert result.rows == 2 and result.layout_source == "documented layout"
            fake.static[f"{prefix}/2025/imp-code.txt"] = fixed_width(revised).encode("latin-1")
            ingest_concordance(con, 2025, "imports", base_url=base)  # reloading a year replaces it
            with pytest.raises(UserError, match="not found"):
                ingest_concordance(con, 2023, "imports", base_url=base)
        finally:
            con.close()
    with duckdb.connect(str(db), read_only=True) as con:
        counts = con.execute("select year, count(*) from raw.concordance_imports group by 1 order by 1").fetchall()
        short = con.execute(
            "select year, description_short from raw.concordance_imports where hs10 = '0101210010' order by 1"
        ).fetchall()
        exports = con.execute("select count(*), min(source) from raw.concordance_exports").fetchone()
    assert counts == [(2024, 3), (2025, 2)]
    assert short == [(2024, "HORSES PUREBRED BREEDING MALE"), (2025, "HORSES (REVISED)")]
    assert exports[0] == 2 and exports[1].endswith("/2024/exp-code.txt")


def test_from_file_needs_one_flow(tmp_path, capsys):
    path = tmp_path / "imp-code.txt"
    path.write_text(fixed_width(RECORDS), encoding="latin-1")
    db = str(tmp_path / "w.duckdb")
    assert main(["ingest", "concordance", "--year", "2025", "--from-file", str(path), "--db", db]) == 2
    assert "--flow imports" in capsys.readouterr().err
    assert (
        main(["ingest", "concordance", "--year", "2025", "--flow", "imports", "--from-file", str(path), "--db", db])
        == 0
    )
    with duckdb.connect(db, read_only=True) as con:
        assert con.execute("select count(*), min(source) from raw.concordance_imports").fetchone() == (
            3,
            "file:imp-code.txt",
        )


def records_only(records: list[dict[str, str]]) -> str:
    """`fixed_width` without its header and blank line: the first line is a record."""
    return fixed_width(records).split("\r\n", 2)[2]


def load_from_file(tmp_path: Path, payload: bytes) -> list[tuple]:
    """`aitrade ingest concordance --from-file` of `payload`; the loaded (hs10, description, sitc, naics) rows."""
    path = tmp_path / "imp-code.txt"
    path.write_bytes(payload)
    db = str(tmp_path / "w.duckdb")
    args = ["ingest", "concordance", "--year", "2025", "--flow", "imports", "--from-file", str(path), "--db", db]
    assert main(args) == 0
    with duckdb.connect(db, read_only=True) as con:
        return con.execute(
            "select hs10, description_long, sitc, naics from raw.concordance_imports order by hs10"
        ).fetchall()


def test_utf8_bom_keeps_the_first_record(tmp_path):
    rows = load_from_file(tmp_path, b"\xef\xbb\xbf" + records_only(RECORDS).encode("utf-8"))
    assert [r[0] for r in rows] == ["0101210010", "8471300100", "8542310001"]
    assert rows[0][2:] == ("00150", "112920")


def test_utf8_accented_description_keeps_the_fixed_width_fields(tmp_path):
    accented = dict(RECORDS[0], description_long="CAFÉ-AU-LAIT HORSES, PURÉE ÉCRU", naics="112920", sitc="00150")
    rows = load_from_file(tmp_path, records_only([accented, RECORDS[1]]).encode("utf-8"))
    # read as latin-1, each É is two characters: NAICS 112920 came back as 011292 and SITC as 10015
    assert rows[0] == ("0101210010", "CAFÉ-AU-LAIT HORSES, PURÉE ÉCRU", "00150", "112920")
    assert rows[1][2:] == ("75200", "3341XX")


def test_latin1_file_still_read_as_latin1():
    plus_minus = dict(RECORDS[0], description_long="WEIGHING MORE THAN 25 ± 70 G/M2")
    text = decode_census_file(records_only([plus_minus]).encode("latin-1"))  # byte 0xB1 is not valid UTF-8
    row = parse_concordance(text, 2025).to_pylist()[0]
    assert row["description_long"] == "WEIGHING MORE THAN 25 ± 70 G/M2" and row["naics"] == "112920"
    assert decode_census_file(b"\xef\xbb\xbfA\xc3\x89") == "AÉ"


def test_download_reads_utf8_as_utf8(tmp_path):
    accented = dict(RECORDS[0], description_long="ÉLEVAGE HORSES")
    prefix = "/foreign-trade/schedules/b"
    payload = b"\xef\xbb\xbf" + records_only([accented, RECORDS[1]]).encode("utf-8")
    with FakeCensus(key="unused", data={}, static={f"{prefix}/2025/imp-code.txt": payload}) as fake:
        con = warehouse.connect(tmp_path / "w.duckdb")
        try:
            assert ingest_concordance(con, 2025, "imports", base_url=fake.root_url + prefix).rows == 2
            row = con.execute(
                "select description_long, sitc, naics from raw.concordance_imports where hs10 = '0101210010'"
            ).fetchone()
        finally:
            con.close()
    assert row == ("ÉLEVAGE HORSES", "00150", "112920")


def with_line(records: list[dict[str, str]], index: int, line: str) -> str:
    """`fixed_width(records)` with its record `index` replaced by `line` (the header and a blank line come first)."""
    lines = fixed_width(records).split("\r\n")
    lines[2 + index] = line
    return "\r\n".join(lines)


LEFT_ALIGNED = "101290010" + "HORSES, LIVE, IMPORTED FOR IMMEDIATE SLAUGHTER".ljust(150) + "HORSES".ljust(50) + "NO"


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        (LEFT_ALIGNED, "'101290010H'"),  # lost its leading zero and every field shifted left
        ("01012A0010" + LONG, "'01012A0010'"),  # a corrupted code
        ("END OF FILE", "'END OF FIL'"),  # text after the first record is not a header
        ("   84713 PORTABLE ADP", "'   84713 P'"),
    ],
)
def test_malformed_record_lines_are_named(line, shown):
    with pytest.raises(UserError, match="concordance line 4: columns 1-10 hold " + shown) as error:
        parse_concordance(with_line(RECORDS, 1, line), 2025)
    assert "fix the line and rerun" in str(error.value)


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("O101210010" + LONG, "'O101210010'"),  # a letter O for a zero in the first record was taken for a header
        (" " * 10 + LONG, "'          '"),  # blank code columns
    ],
)
def test_a_malformed_first_record_is_not_taken_for_a_header(line, shown):
    with pytest.raises(UserError, match="concordance line 3: columns 1-10 hold " + shown):
        parse_concordance(with_line(RECORDS, 0, line), 2025)


def test_skipped_lines_are_only_blank_or_leading_text():
    # the header above the first record and blank lines anywhere are skipped; a right-aligned 9-digit code is padded
    records = [RECORDS[0], dict(RECORDS[1], hs10=" 471300100"), RECORDS[2]]
    lines = fixed_width(records).split("\r\n")
    text = "\r\n".join([*lines[:3], "", "   ", lines[3], "\t", *lines[4:]])
    rows = parse_concordance(text, 2025).to_pylist()
    assert [r["hs10"] for r in rows] == ["0101210010", "0471300100", "8542310001"]
    assert rows[1]["naics"] == "3341XX" and rows[1]["sitc"] == "75200" and rows[2]["naics"] == "334413"


def test_bad_file_leaves_the_loaded_year_untouched(tmp_path, capsys):
    db = str(tmp_path / "w.duckdb")
    path = tmp_path / "imp-code.txt"
    args = ["ingest", "concordance", "--year", "2025", "--flow", "imports", "--from-file", str(path), "--db", db]
    path.write_text(fixed_width(RECORDS), encoding="latin-1")
    assert main(args) == 0
    path.write_text(with_line(RECORDS[:2], 1, LEFT_ALIGNED), encoding="latin-1")
    assert main(args) == 2
    assert "concordance line 4: columns 1-10 hold '101290010H'" in capsys.readouterr().err
    with duckdb.connect(db, read_only=True) as con:
        assert con.execute("select count(*) from raw.concordance_imports").fetchone() == (3,)


def reference_records() -> list[dict[str, str]]:
    if not REFERENCE_CSV.is_file():
        pytest.skip(
            f"reference concordance {REFERENCE_CSV} is absent (needs ../shared/reference/paper next to the repo)"
        )
    names = {"HS10": "hs10", "long_desc": "description_long", "short_desc": "description_short"}
    names |= {"quantity_1": "unit_qy1", "quantity_2": "unit_qy2"}
    with open(REFERENCE_CSV, encoding="utf-8", newline="") as handle:
        return [
            {names.get(k, k): v for k, v in row.items() if k not in ("HS6", "HS8")} for row in csv.DictReader(handle)
        ]


def test_real_2022_concordance_parses_every_line(tmp_path):
    """The real 2022 import concordance, laid out as imp-code.txt and written latin-1 as the Census serves it: every
    line loads, with every field as the Census has it."""
    records = reference_records()
    # the CSV holds U+FFFD where imp-code.txt has latin-1 byte 0xB1 (`25 ± 70 G/M2`)
    text = fixed_width(records).replace("\ufffd", "±").split("\r\n", 2)[2]
    table = parse_concordance(decode_census_file(text.encode("latin-1")), 2022)
    assert table.num_rows == len(records) == 19_758
    loaded = table.drop_columns(["year"]).to_pylist()
    expected = [{c: (r[c].replace("\ufffd", "±") or None) for c in loaded[0]} for r in records]
    assert loaded == expected
    assert loaded[9344]["description_long"].startswith("OTHER NONWOVENS, NOT MANMADE, WEIGHING MORE THAN 25 ± 70")
