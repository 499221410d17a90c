"""`aitrade ingest exemptions`: list layouts, zero-padding, whole-file refusal, reloads, URLs."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pytest

from ingestion.cli import main
from ingestion.errors import UserError
from ingestion.exemptions import ParsedList, normalize_prefix, parse_list

INGEST = ["ingest", "exemptions"]


def _ingest(db: Path, source: str | Path, list_id: str, *extra: str) -> int:
    return main(
        [
            *INGEST,
            str(source),
            "--list",
            list_id,
            "--authority",
            "test authority",
            "--effective-from",
            "2025-04-05",
            *extra,
            "--db",
            str(db),
        ]
    )


def _entries(db: Path, list_id: str | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        where = "where list_id = ?" if list_id else ""
        return con.execute(
            "select list_id, hts_prefix, prefix_length, authority, effective_from::varchar, "
            f"effective_to::varchar, source from raw.exemption_list_entries {where} order by list_id, hts_prefix",
            [list_id] if list_id else [],
        ).fetchall()


@pytest.mark.parametrize(
    ("raw", "digits", "expected"),
    [
        ("8471300100", None, ("8471300100", False)),
        ("508000000", None, ("0508000000", True)),  # a 10-digit code that lost its leading zero
        ("2011005", 8, ("02011005", True)),  # an 8-digit prefix stored as 7 digits
        ("02011005", 8, ("02011005", False)),
        ("8505110070", 10, ("8505110070", False)),
        ("8471", None, ("8471", False)),
        ("847330", None, ("847330", False)),
        ("8541.49.10", None, ("85414910", False)),  # HTS dots are ignored
        ("8471.30.0100", None, ("8471300100", False)),
        ("8471.30.01.00", None, ("8471300100", False)),
        ("8541.00", None, ("854100", False)),  # HTS notation, not the number 8541
        ("508000000.0", None, ("0508000000", True)),  # a spreadsheet number: its .0 dropped, its zero restored
        ("8471.0", None, ("8471", False)),
        (" 8542 ", 4, ("8542", False)),
    ],
)
def test_normalize_prefix_pads_one_lost_zero(raw: str, digits: int | None, expected: tuple[str, bool]) -> None:
    assert normalize_prefix(raw, digits) == expected


@pytest.mark.parametrize(
    ("raw", "digits", "reason"),
    [
        ("84A1300100", None, "not digits"),
        ("", None, "empty"),
        ("84", None, "has 2 digits"),
        ("84713001001", None, "has 11 digits"),
        ("84713", 8, "row says 8"),
        ("8471300", 6, "row says 6"),
        ("8471", 5, "digits 5"),
        ("0012", None, "chapter 00"),
        ("12", 4, "row says 4"),
        ("8471.3", None, "neither a code nor HTS notation"),  # 8471.30 or 8471.3x? refused, not read as 084713
        ("8471.300", None, "neither a code nor HTS notation"),  # not padded into chapter 08
        ("8471.30.010", None, "neither a code nor HTS notation"),
        ("\u0668\u0664\u0667\u0661", None, "not digits"),  # Arabic-Indic digits
        ("\uff18\uff14\uff17\uff11", None, "not digits"),  # full-width digits
    ],
)
def test_normalize_prefix_rejects(raw: str, digits: int | None, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        normalize_prefix(raw, digits)


def test_parse_both_layouts_and_drop_duplicates() -> None:
    assert parse_list("HTSUS\n8471300100\n508000000\n\n8471300100\n") == ParsedList(
        ["8471300100", "0508000000"], padded=1, duplicates=1
    )
    assert parse_list("hts_code,digits\n02011005,8\n2011010,8\n8505110070,10\n") == ParsedList(
        ["02011005", "02011010", "8505110070"], padded=1, duplicates=0
    )
    assert parse_list("\ufeffhts_code\n8471\n") == ParsedList(["8471"], 0, 0)  # BOM, no digits column
    assert parse_list("HTSUS\r8471\r8542.31\r") == ParsedList(["8471", "854231"], 0, 0)  # lines ending in a lone CR
    # a spreadsheet's rows of empty cells are blank lines, not repeated entries
    assert parse_list("hts_code,digits\n8471,4\n,\n , \n8471,4\n") == ParsedList(["8471"], 0, 1)
    # a padded entry given twice is one padded entry; a quoted line break keeps the line numbers of later rows
    assert parse_list('hts_code,note\n2011005,"a\nb"\n2011005,\n') == ParsedList(["02011005"], 1, 1)
    with pytest.raises(UserError, match="line 4: "):
        parse_list('hts_code,note\n8471,"a\nb"\n84A1,\n')
    with pytest.raises(UserError, match="not readable CSV: field larger"):
        parse_list("HTSUS\n" + "8" * 140_000 + "\n")
    with pytest.raises(UserError, match="no `HTSUS` or `hts_code` column"):
        parse_list("code\n8471\n")
    with pytest.raises(UserError, match="no entries"):
        parse_list("HTSUS\n")


def test_malformed_file_is_refused_whole_naming_the_rows(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    db = tmp_path / "w.duckdb"
    good = tmp_path / "good.csv"
    good.write_text("hts_code,digits\n85423100,8\n847330,6\n")
    assert _ingest(db, good, "my_list") == 0
    before = _entries(db)
    bad = tmp_path / "bad.csv"
    bad.write_text("hts_code,digits\n85423100,8\n84A3,4\n847330,6\n84713,8\n0012,4\n")
    assert _ingest(db, bad, "my_list") == 2
    err = capsys.readouterr().err
    assert "3 malformed row(s), nothing was loaded" in err
    assert "line 3:" in err and "line 5:" in err and "line 6:" in err
    assert "line 2:" not in err and "line 4:" not in err
    assert _entries(db) == before  # the old list is untouched


def test_load_then_reload_replaces_only_that_list(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    db = tmp_path / "w.duckdb"
    first = tmp_path / "annex.csv"
    first.write_text("HTSUS\n0508000000\n2841800000\n7403110000\n")
    other = tmp_path / "s122.csv"
    other.write_text("hts_code,digits\n2011005,8\n,\n8505110070,10\n2011005,8\n")
    assert _ingest(db, first, "annex_ii", "--effective-to", "2026-02-23") == 0
    assert _ingest(db, other, "s122") == 0
    printed = capsys.readouterr().out
    assert "2 entries (1 x 8 digits, 1 x 10 digits)" in printed
    assert "1 zero-padded, 1 duplicates dropped" in printed  # the row of empty cells is not a duplicate
    assert _entries(db, "annex_ii") == [
        ("annex_ii", code, 10, "test authority", "2025-04-05", "2026-02-23", "file:annex.csv")
        for code in ["0508000000", "2841800000", "7403110000"]
    ]
    assert [row[1:3] for row in _entries(db, "s122")] == [("02011005", 8), ("8505110070", 10)]
    first.write_text("HTSUS\n7403110000\n")
    assert _ingest(db, first, "annex_ii") == 0
    assert [row[1] for row in _entries(db, "annex_ii")] == ["7403110000"]
    assert _entries(db, "annex_ii")[0][5] is None  # no --effective-to this time
    assert len(_entries(db, "s122")) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--list", "Annex II"], "lower-case"),
        (["--list", "any"], "reserved"),
        (["--list", "ce_eo14257_20250411"], "reserved"),
        (["--list", "ok", "--effective-to", "2025-01-01"], "before --effective-from"),
    ],
)
def test_bad_arguments_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture, args: list[str], message: str) -> None:
    source = tmp_path / "list.csv"
    source.write_text("HTSUS\n8471300100\n")
    argv = [*INGEST, str(source), "--authority", "a", "--effective-from", "2025-04-05", "--db", str(tmp_path / "w")]
    assert main([*argv, *args]) == 2
    assert message in capsys.readouterr().err


def test_missing_file_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert _ingest(tmp_path / "w.duckdb", tmp_path / "nope.csv", "x") == 2
    assert "does not exist" in capsys.readouterr().err


class _ListHandler(BaseHTTPRequestHandler):
    body = b"hts_code,digits\n85423100,8\n2011005,8\n"

    latin1_body = "hts_code,description\n85423100,caf\u00e9\n".encode("latin-1")

    def do_GET(self) -> None:
        body = {"/lists/s122.csv": self.body, "/lists/latin1.csv": self.latin1_body}.get(self.path.split("?")[0])
        if body is not None:
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_response(404)
            self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def list_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ListHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_load_from_url_stores_url_without_query(
    tmp_path: Path, list_server: str, capsys, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "w.duckdb"
    caplog.set_level(logging.DEBUG)
    assert _ingest(db, f"{list_server}/lists/s122.csv?token=secret123", "s122") == 0
    assert "secret123" not in caplog.text  # httpx logs each request's full URL at INFO
    rows = _entries(db, "s122")
    assert [row[1] for row in rows] == ["02011005", "85423100"]
    assert {row[6] for row in rows} == {f"{list_server}/lists/s122.csv"}
    assert _ingest(db, f"{list_server}/missing.csv", "s122") == 2
    assert "HTTP 404" in capsys.readouterr().err
    assert len(_entries(db, "s122")) == 2


def test_a_list_that_is_not_utf8_is_refused_without_printing_the_url_query(
    tmp_path: Path, list_server: str, capsys
) -> None:
    assert _ingest(tmp_path / "w.duckdb", f"{list_server}/lists/latin1.csv?token=secret123", "s122") == 2
    err = capsys.readouterr().err
    assert f"{list_server}/lists/latin1.csv is not UTF-8 text" in err and "secret123" not in err
