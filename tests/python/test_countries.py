"""country.txt parsing and loading, and `--countries all` reading the loaded list."""

from __future__ import annotations

import duckdb
import pytest
from fake_census import TEST_KEY, FakeCensus, census_config, loaded_sums

from ingestion.census import run_census_ingest
from ingestion.cli import main
from ingestion.countries import parse_countries
from ingestion.errors import UserError

COUNTRY_TXT = """Schedule C - Classification of Country and Territory Designations
for U.S. Import Statistics                                        31JAN14

Code | Name                                         | ISO Code
-----|----------------------------------------------|---------
1010 | Greenland                                    | GL
1220 | Canada                                       | CA
5082 | Gaza Strip Administered by Israel            | GZ
4803 | Kosovo                                       | KV
5700 | China                                        | CN
7770 | Some Territory   Without ISO                 |
"""


def test_parse_country_txt():
    rows = parse_countries(COUNTRY_TXT).to_pylist()
    assert [r["cty_code"] for r in rows] == ["1010", "1220", "5082", "4803", "5700", "7770"]
    assert rows[2] == {"cty_code": "5082", "cty_name": "Gaza Strip Administered by Israel", "iso_alpha2": "GZ"}
    assert rows[5]["iso_alpha2"] is None and rows[5]["cty_name"] == "Some Territory Without ISO"
    with pytest.raises(UserError, match="already on line"):
        parse_countries(COUNTRY_TXT + "5700|China again|CN\n")
    with pytest.raises(UserError, match=r"country\.txt"):
        parse_countries("<html>not it</html>")


COUNTRY_TXT_LINES = COUNTRY_TXT.count("\n")


def test_parse_country_txt_row_forms():
    # a trailing `|`, `-` for no ISO, a lower-case alpha-2 and a BOM before a first line that is a row all parse
    rows = parse_countries("\ufeff5700|China|CN|\n4803 | Kosovo | kv\n5083 | West Bank | - |\n").to_pylist()
    assert [(r["cty_code"], r["cty_name"], r["iso_alpha2"]) for r in rows] == [
        ("5700", "China", "CN"),
        ("4803", "Kosovo", "KV"),
        ("5083", "West Bank", None),
    ]


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("5700 | China", "2 `|`-separated fields instead of 3"),  # was silently dropped
        ("4280 | Germany | DE | x", "4 `|`-separated fields instead of 3"),  # was name `Germany | DE`, ISO `X`
        ("5880 | Japan | JPN", "ISO code 'JPN' is not two letters"),  # was accepted as an alpha-2
        ("5880 | Japan | J", "ISO code 'J' is not two letters"),
        ("570 | China | CN", "code '570' is not 4 digits"),  # was silently dropped
        ("57000 | China | CN", "code '57000' is not 4 digits"),
        ("5700 China CN", "1 `|`-separated fields instead of 3"),
        ("5700 |  | CN", "the name is empty"),
        ("57OO | Japan | JP", "code '57OO' is not 4 digits"),  # a letter O for a zero was skipped as a title
        ("O120 | Canada | CA", "code 'O120' is not 4 digits"),
    ],
)
def test_malformed_country_rows_are_named(line, problem):
    with pytest.raises(UserError, match=rf"country\.txt line {COUNTRY_TXT_LINES + 1}: ") as error:
        parse_countries(COUNTRY_TXT + line + "\n")
    assert problem in str(error.value) and repr(line) in str(error.value)
    assert "expected `Code | Name | ISO Code`, fix the line and rerun" in str(error.value)


def test_utf8_country_file_with_bom(tmp_path):
    path = tmp_path / "country.txt"
    path.write_bytes(b"\xef\xbb\xbf" + "5700 | China | CN\n2777 | Curaçao | CW\n".encode())
    db = tmp_path / "w.duckdb"
    assert main(["ingest", "countries", "--from-file", str(path), "--db", str(db)]) == 0
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("select cty_code, cty_name, iso_alpha2 from raw.census_countries order by 1").fetchall()
    # read as latin-1 the BOM hid the first row and `ç` became `Ã§`
    assert rows == [("2777", "Curaçao", "CW"), ("5700", "China", "CN")]


def test_ingest_countries_then_census_all_countries(tmp_path):
    db = tmp_path / "w.duckdb"
    months = ["2024-11", "2024-12"]
    with FakeCensus.generated(
        TEST_KEY,
        months,
        published_through="2024-12",
        rows_per_month=8,
        static={"/foreign-trade/schedules/c/country.txt": COUNTRY_TXT.encode()},
    ) as fake:
        with pytest.raises(UserError, match="aitrade ingest countries"):
            run_census_ingest(census_config(fake, db, countries=None, start=2024 * 12 + 10), TEST_KEY)
        base = fake.root_url + "/foreign-trade/schedules/c"
        assert main(["ingest", "countries", "--base-url", base, "--db", str(db)]) == 0
        assert main(["ingest", "countries", "--base-url", base, "--db", str(db)]) == 0  # replaces, no dupes
        summary = run_census_ingest(census_config(fake, db, countries=None, start=2024 * 12 + 10), TEST_KEY)
        # 6 countries + world total; 5700 and '-' monthly (2 months), the others yearly (one 2024 partition)
        assert summary.planned == 2 * (2 * 2 + 5)
        assert loaded_sums(db, "imports") == fake.served_sums("imports")
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*), count(iso_alpha2) from raw.census_countries").fetchone() == (6, 5)
        src = con.execute("select distinct source from raw.census_countries").fetchall()
    assert src == [(base + "/country.txt",)]


def test_countries_from_missing_file_is_a_user_error(tmp_path, capsys):
    assert (
        main(["ingest", "countries", "--from-file", str(tmp_path / "nope.txt"), "--db", str(tmp_path / "w.duckdb")])
        == 2
    )
    assert "does not exist" in capsys.readouterr().err
