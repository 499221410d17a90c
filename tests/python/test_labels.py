"""`aitrade labels import` and `aitrade labels audit`."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pytest

from ingestion import warehouse
from ingestion.cli import main
from ingestion.errors import UserError
from ingestion.labels import audit_labels, format_audit, import_labels
from ingestion.paths import REPO_ROOT

PAPER = REPO_ROOT.parent / "shared" / "reference" / "paper"
HIGH_HEADER = "hs10_code,relevance,primary_category,specific_use,reasoning,description\n"
EXPORTS_HEADER = "relevance,confidence,primary_category,specific_use,reasoning,hs10_code,description\n"


def write(tmp_path: Path, text: str, name: str = "labels.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def rows(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_exports_layout_is_padded_and_recorded_with_provenance(tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    path = write(
        tmp_path,
        EXPORTS_HEADER
        + 'Low,100,Not_DC_Related,none,"live, horses",101210000,"HORSES, LIVE"\n'
        + "High,95,Electrical_Power,UPS,batteries,8507600020,LITHIUM-ION BATTERIES\n",
    )
    assert main(["labels", "import", str(path), "--flow", "exports", "--source", "study", "--db", str(db)]) == 0
    assert "(High 1, Medium 0, Low 1; 1 codes zero-padded)" in capsys.readouterr().out
    assert rows(db, "select hs10, relevance, confidence, reasoning, model from raw.hs10_labels order by 1") == [
        ("0101210000", "Low", 100, "live, horses", None),
        ("8507600020", "High", 95, "batteries", None),
    ]
    provenance = rows(
        db,
        "select flow, label_source, location, length(sha256), row_count, padded_codes, high, "
        "low from raw.label_imports",
    )
    assert provenance == [("exports", "study", str(path.resolve()), 64, 2, 1, 1, 1)]


def test_high_list_layout_has_no_confidence(tmp_path):
    db = tmp_path / "w.duckdb"
    path = write(tmp_path, HIGH_HEADER + "8471500150,High,Compute_Hardware,servers,why,PROCESSING UNITS\n")
    assert main(["labels", "import", str(path), "--flow", "imports", "--source", "study", "--db", str(db)]) == 0
    assert rows(db, "select hs10, confidence, description from raw.hs10_labels") == [
        ("8471500150", None, "PROCESSING UNITS")
    ]


def test_reimport_replaces_the_slice_and_leaves_other_sources(tmp_path):
    con = warehouse.connect(tmp_path / "w.duckdb")
    first = write(
        tmp_path, HIGH_HEADER + "8471500150,High,Compute_Hardware,a,b,c\n8471500151,High,Compute_Hardware,a,b,c\n"
    )
    import_labels(con, str(first), "imports", "study")
    import_labels(con, str(first), "imports", "other")
    second = write(tmp_path, HIGH_HEADER + "8471500150,Medium,Compute_Hardware,a,b,c\n", "second.csv")
    import_labels(con, str(second), "imports", "study")
    got = con.execute("select label_source, hs10, relevance from raw.hs10_labels order by 1, 2").fetchall()
    assert got == [("other", "8471500150", "High"), ("other", "8471500151", "High"), ("study", "8471500150", "Medium")]
    con.close()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("8471500150,Very High,Compute_Hardware,a,b,c\n", ["line 3 (8471500150): relevance 'Very High'"]),
        ("8471500150,High,Computers,a,b,c\n", ["line 3 (8471500150): primary_category 'Computers'"]),
        ("12345,High,Compute_Hardware,a,b,c\n", ["line 3: code '12345' is not a 9- or 10-digit HS code"]),
        (
            "847150015,High,Compute_Hardware,a,b,c\n0847150015,Low,Not_DC_Related,a,b,c\n",
            ["code 0847150015 appears 2 times (lines 3, 4)"],
        ),
        # an unquoted comma shifts the fields; a short row lacks some
        ("8471500150,High,Compute_Hardware,a,fast, parallel,c\n", ["line 3: 7 fields where the header has 6"]),
        ("8471500150,High\n", ["line 3 (8471500150): primary_category None is not a known category"]),
        ("8471500150,High,Compute_Hardware,a,b," + "x" * 140_000 + "\n", ["not readable CSV: field larger"]),
    ],
)
def test_bad_rows_reject_the_file_naming_the_rows_and_write_nothing(tmp_path, body, expected):
    con = warehouse.connect(tmp_path / "w.duckdb")
    path = write(tmp_path, HIGH_HEADER + "8471500151,High,Compute_Hardware,a,b,c\n" + body)
    with pytest.raises(UserError) as error:
        import_labels(con, str(path), "imports", "study")
    message = str(error.value)
    assert "nothing was written" in message
    for text in expected:
        assert text in message
    assert con.execute("select count(*) from raw.hs10_labels").fetchone() == (0,)
    assert not warehouse.has_table(con, "raw", "label_imports")  # refused before any provenance is recorded
    con.close()


def test_bad_confidence_and_missing_columns_are_rejected(tmp_path):
    con = warehouse.connect(tmp_path / "w.duckdb")
    bad = write(tmp_path, EXPORTS_HEADER + "High,150,Electrical_Power,a,b,8507600020,d\n")
    with pytest.raises(UserError, match="confidence '150' is not a whole number 0-100"):
        import_labels(con, str(bad), "exports", "study")
    infinite = write(tmp_path, EXPORTS_HEADER + "High,inf,Electrical_Power,a,b,8507600020,d\n", "inf.csv")
    with pytest.raises(UserError, match="confidence 'inf' is not a whole number 0-100"):
        import_labels(con, str(infinite), "exports", "study")
    fractional = write(tmp_path, EXPORTS_HEADER + "High,100.9,Electrical_Power,a,b,8507600020,d\n", "frac.csv")
    with pytest.raises(UserError, match=r"confidence '100\.9' is not a whole number 0-100"):  # not truncated to 100
        import_labels(con, str(fractional), "exports", "study")
    for text in ("85.000000000000001", "8_5", "1e2", "\u0661\u0660\u0660", "1E-400"):  # float() reads them all
        odd = write(tmp_path, EXPORTS_HEADER + f"High,{text},Electrical_Power,a,b,8507600020,d\n", "odd.csv")
        with pytest.raises(UserError, match="is not a whole number 0-100"):
            import_labels(con, str(odd), "exports", "study")
    # a reasoning over two lines: the next row is named by the file line it starts on
    multiline = write(
        tmp_path,
        EXPORTS_HEADER
        + 'High,90,Electrical_Power,a,"two\nlines",8507600020,d\nHigh,150,Electrical_Power,a,b,8507600030,d\n',
        "multiline.csv",
    )
    with pytest.raises(UserError, match=r"line 4 \(8507600030\): confidence '150'"):
        import_labels(con, str(multiline), "exports", "study")
    spreadsheet = write(tmp_path, EXPORTS_HEADER + "High,85.0,Electrical_Power,a,b,8507600020,d\n", "sheet.csv")
    import_labels(con, str(spreadsheet), "exports", "study")
    assert con.execute("select confidence from raw.hs10_labels").fetchall() == [(85,)]
    for header in ("hs10_code,relevance,primary_category,relevance\n", "hs10_code,hs10,relevance,primary_category\n"):
        twice = write(tmp_path, header + "8471500150,High,Compute_Hardware,Low\n", "twice.csv")
        with pytest.raises(UserError, match="more than once or under two names"):
            import_labels(con, str(twice), "exports", "study")
    no_code = write(tmp_path, "code_x,relevance,primary_category\n1,High,Electrical_Power\n", "x.csv")
    with pytest.raises(UserError, match="needs columns hs10_code"):
        import_labels(con, str(no_code), "exports", "study")
    with pytest.raises(UserError, match="kept for model runs"):
        import_labels(con, str(bad), "exports", "classifier:x:y")
    con.close()


def test_labels_and_their_provenance_are_written_together(tmp_path):
    """The (flow, source) slice and its raw.label_imports row commit in one transaction: when the record cannot be
    written, the previous import stays whole, rows and record alike."""
    con = warehouse.connect(tmp_path / "w.duckdb")
    import_labels(con, str(write(tmp_path, HIGH_HEADER + "8471500150,High,Compute_Hardware,a,b,c\n")), "imports", "s")
    con.execute("alter table raw.label_imports add column extra integer")  # 11 columns: the 10-value record fails
    second = write(tmp_path, HIGH_HEADER + "8542310001,High,Compute_Hardware,a,b,c\n", "second.csv")
    with pytest.raises(UserError, match="or their record could not be written, nothing was"):
        import_labels(con, str(second), "imports", "s")
    assert con.execute("select hs10 from raw.hs10_labels").fetchall() == [("8471500150",)]
    assert con.execute("select count(*), max(location) from raw.label_imports").fetchone() == (
        1,
        str((tmp_path / "labels.csv").resolve()),
    )
    con.close()


def test_short_rows_and_empty_spreadsheet_columns_load(tmp_path):
    """A row that leaves off empty optional trailing fields, and a header with a spreadsheet's empty columns, load."""
    con = warehouse.connect(tmp_path / "w.duckdb")
    text = "hs10_code,relevance,primary_category,description,,\n8471500150,High,Compute_Hardware\n"
    path = write(tmp_path, text + "8542310001,Low,Not_DC_Related,chips,,\n")
    assert import_labels(con, str(path), "imports", "study").rows == 2
    assert con.execute("select hs10, description from raw.hs10_labels order by 1").fetchall() == [
        ("8471500150", None),
        ("8542310001", "chips"),
    ]
    con.close()


def test_old_mac_line_endings_are_read(tmp_path):
    """A file whose lines end in a lone carriage return (old Mac, some exports) reads like any other."""
    con = warehouse.connect(tmp_path / "w.duckdb")
    path = tmp_path / "cr.csv"
    path.write_bytes(
        (HIGH_HEADER + "8471500150,High,Compute_Hardware,a,b,c\n847150016,Low,Not_DC_Related,a,b,c\n")
        .replace("\n", "\r")
        .encode()
    )
    result = import_labels(con, str(path), "imports", "study")
    assert (result.rows, result.padded) == (2, 1)
    assert con.execute("select hs10, relevance from raw.hs10_labels order by 1").fetchall() == [
        ("0847150016", "Low"),
        ("8471500150", "High"),
    ]
    con.close()


def test_import_from_url(tmp_path):
    body = (HIGH_HEADER + "8471500150,High,Compute_Hardware,a,b,c\n").encode()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return

        def do_GET(self) -> None:
            status = 200 if self.path.startswith("/labels.csv") else 404
            self.send_response(status)
            self.send_header("Content-Length", str(len(body) if status == 200 else 0))
            self.end_headers()
            if status == 200:
                self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        con = warehouse.connect(tmp_path / "w.duckdb")
        result = import_labels(con, f"{base}/labels.csv?token=abc", "imports", "web")
        assert result.rows == 1 and result.location == f"{base}/labels.csv"
        assert con.execute("select location from raw.label_imports").fetchone() == (f"{base}/labels.csv",)
        with pytest.raises(UserError, match="HTTP 404"):
            import_labels(con, f"{base}/missing.csv", "imports", "web")
        con.close()
    finally:
        server.shutdown()
        server.server_close()


# --- audit ------------------------------------------------------------------------------------------------------


def _audit_warehouse(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    con = warehouse.connect(tmp_path / "w.duckdb")
    a = write(
        tmp_path,
        HIGH_HEADER
        + "8471000001,High,Compute_Hardware,a,b,GPU\n8471000002,High,Compute_Hardware,a,b,SERVER\n"
        + "8471000003,Medium,Compute_Hardware,a,b,CASE\n8471000004,Low,Not_DC_Related,a,b,TOY\n"
        + "8471000009,Low,Not_DC_Related,a,b,ONLY A\n",
        "a.csv",
    )
    b = write(
        tmp_path,
        HIGH_HEADER
        + "8471000001,High,Compute_Hardware,a,b,GPU\n8471000002,Medium,Compute_Hardware,a,b,SERVER\n"
        + "8471000003,Low,Not_DC_Related,a,b,CASE\n8471000004,Low,Not_DC_Related,a,b,TOY\n",
        "b.csv",
    )
    import_labels(con, str(a), "imports", "a")
    import_labels(con, str(b), "imports", "b")
    now = datetime.now(UTC).replace(tzinfo=None)
    trade = [
        ("2025-01", "8471000001", "-", 1_000_000),
        ("2025-02", "8471000001", "-", 500_000),
        ("2025-01", "8471000002", "-", 3_000_000),
        ("2025-03", "8471000003", "-", 200_000),
        ("2025-01", "8471000004", "-", 50),
        ("2024-01", "8471000002", "-", 9_999_999),
        ("2025-01", "8471000002", "5700", 7_777_777),
    ]
    con.executemany(
        "insert into raw.census_imports (time, i_commodity, cty_code, con_val_mo, source, vintage, partition_id, "
        "loaded_at) values (?, ?, ?, ?, 't', 'v', 'p', ?)",
        [[*r, now] for r in trade],
    )
    return con


def test_audit_matrix_rate_and_value_weighted_disagreement(tmp_path):
    con = _audit_warehouse(tmp_path)
    (report,) = audit_labels(con, "a", "b", year=2025, top=5)
    assert (report.codes_a, report.codes_b, report.common, report.agree) == (5, 4, 4, 2)
    assert report.agreement_rate == 0.5
    assert report.matrix == {
        ("High", "High"): (1, 1_500_000.0),
        ("High", "Medium"): (1, 3_000_000.0),
        ("Medium", "Low"): (1, 200_000.0),
        ("Low", "Low"): (1, 50.0),
    }
    assert report.disagree_value == 3_200_000.0
    assert report.disagreement_value_share == pytest.approx(3_200_000 / 4_700_050)
    assert [t[:4] for t in report.top] == [
        ("8471000002", "High", "Medium", 3_000_000.0),
        ("8471000003", "Medium", "Low", 200_000.0),
    ]
    text = format_audit(report)
    assert "agreement rate: 50.0% (2 of 4 codes)" in text
    assert "value-weighted disagreement: $3.2M of 2025 trade" in text
    assert "8471000002  High    Medium         $3.0M  SERVER" in text
    con.close()


def test_audit_cli_and_unknown_source(tmp_path, capsys):
    _audit_warehouse(tmp_path).close()
    db = str(tmp_path / "w.duckdb")
    assert main(["labels", "audit", "--a", "a", "--b", "b", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "relevance matrix" in out and "only A: 1" in out
    assert main(["labels", "audit", "--a", "a", "--b", "nope", "--db", db]) == 2
    assert "no labels with label_source ['nope']" in capsys.readouterr().err


# --- the study's published files (read at run time, never copied) -----------------------------------------------


def _paper_file(name: str) -> Path:
    path = PAPER / name
    if not path.is_file():
        pytest.skip(f"reference file {path} is absent (needs ../shared/reference/paper next to the repo)")
    return path


def test_study_high_import_list(tmp_path):
    path = _paper_file("hs10_high_relevance_imports.csv")
    con = warehouse.connect(tmp_path / "w.duckdb")
    result = import_labels(con, str(path), "imports", "study")
    assert result.rows == 655 and result.by_relevance == {"High": 655}
    assert result.by_category == {
        "Compute_Hardware": 163,
        "Electrical_Power": 260,
        "Networking_Telecom": 24,
        "Cooling_HVAC": 137,
        "Building_Structure": 44,
        "Specialty_Materials": 19,
        "Fire_Safety_Security": 8,
    }
    assert con.execute(
        "select count(distinct hs10), min(length(hs10)), max(length(hs10)) from raw.hs10_labels"
    ).fetchone() == (655, 10, 10)
    con.close()


def test_study_export_labels(tmp_path):
    path = _paper_file("hs10_classification_exports_final.csv")
    con = warehouse.connect(tmp_path / "w.duckdb")
    result = import_labels(con, str(path), "exports", "study")
    assert result.rows == 4693 and result.padded == 483
    got = con.execute(
        "select count(*), count(distinct hs10), min(length(hs10)), max(length(hs10)) from raw.hs10_labels "
        "where flow = 'exports'"
    ).fetchone()
    assert got == (4693, 4693, 10, 10)
    by_relevance = Counter(dict(con.execute("select relevance, count(*) from raw.hs10_labels group by 1").fetchall()))
    assert by_relevance == Counter({"High": 174, "Medium": 683, "Low": 3836})
    assert con.execute(
        "select relevance, primary_category from raw.hs10_labels where hs10 = '9026800000'"
    ).fetchone() == ("High", "Maintenance_Operations")
    con.close()


def test_study_combined_export_labels(tmp_path):
    """The README's recipe for the study's combined export list: the High import codes imported for exports under a
    source of their own, beside the export-only file; the two are disjoint, so each export code has one label and
    829 are High (the combined count in the methodology's table of label files)."""
    con = warehouse.connect(tmp_path / "w.duckdb")
    import_labels(con, str(_paper_file("hs10_high_relevance_imports.csv")), "exports", "study_import_codes")
    import_labels(con, str(_paper_file("hs10_classification_exports_final.csv")), "exports", "study")
    assert con.execute(
        "select count(*), count(distinct hs10), count(*) filter (where relevance = 'High') from raw.hs10_labels "
        "where flow = 'exports'"
    ).fetchone() == (655 + 4693, 655 + 4693, 829)
    con.close()
