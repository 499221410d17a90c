"""Fixed-width concordance parsing (documented layout and -stru layouts) and loading by year."""

from __future__ import annotations

import duckdb
import pytest
from fake_census import FakeCensus

from ingestion import warehouse
from ingestion.cli import main
from ingestion.concordance import DOCUMENTED_LAYOUT, Field, ingest_concordance, parse_concordance, parse_structure
from ingestion.errors import UserError


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
