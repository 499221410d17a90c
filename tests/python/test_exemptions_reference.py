"""The study's three exemption lists against its 655 High import codes (methodology 3.7).

Reads `<repo>/../shared/reference/paper` at run time (never committed); skipped when it is absent. The lists are
loaded through `aitrade ingest exemptions`, then matched in DuckDB: the study's rule (CE and Annex II exact
10-digit; Section 122 exact 10-digit or first 8 digits on the 8-digit list) gives 82 / 28 / 127 / 147 codes,
and the project's rule (any prefix of the list) gives at least as many.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from ingestion.cli import main
from ingestion.paths import REPO_ROOT

PAPER = REPO_ROOT.parent / "shared" / "reference" / "paper"
LISTS = PAPER / "tariff-exemption-lists"
HIGH_CODES = PAPER / "hs10_high_relevance_imports.csv"
STUDY_FILES = {
    "ce_study": ("consumer_electronics_EO14257_apr11.csv", "EO 14257 consumer electronics (Apr 11, 2025)"),
    "annex_ii": ("annex-II-exemptions.csv", "EO 14257 Annex II"),
    "s122": ("section122-product-exemptions.csv", "Section 122 proclamation (Feb 2026) Annex"),
}

pytestmark = pytest.mark.skipif(
    not (LISTS.is_dir() and HIGH_CODES.is_file()),
    reason=f"study reference data not found at {PAPER} (not committed; available in the project's workspace)",
)


@pytest.fixture
def loaded(tmp_path: Path) -> Path:
    db = tmp_path / "w.duckdb"
    for list_id, (name, authority) in STUDY_FILES.items():
        argv = ["ingest", "exemptions", str(LISTS / name), "--list", list_id, "--authority", authority]
        assert main([*argv, "--effective-from", "2025-04-05", "--db", str(db)]) == 0
    return db


def _match_counts(con: duckdb.DuckDBPyConnection, rule: str) -> dict[str, int]:
    rows = con.execute(
        f"""
        with high as (
            select distinct lpad(cast(hs10_code as varchar), 10, '0') as hs10
            from read_csv(?, all_varchar = true)
            where relevance = 'High'
        ),
        entries as (select * from raw.exemption_list_entries),
        matched as (
            select distinct high.hs10, entries.list_id
            from high join entries on {rule}
        )
        select list_id, count(*) from matched group by list_id
        union all
        select 'any', count(distinct hs10) from matched
        """,
        [str(HIGH_CODES)],
    ).fetchall()
    return dict(rows)


STUDY_RULE = """
    (entries.prefix_length = 10 and high.hs10 = entries.hts_prefix)
    or (entries.list_id = 's122' and entries.prefix_length = 8 and left(high.hs10, 8) = entries.hts_prefix)
"""
PREFIX_RULE = "starts_with(high.hs10, entries.hts_prefix)"


def test_study_lists_load_with_their_entry_counts(loaded: Path) -> None:
    with duckdb.connect(str(loaded), read_only=True) as con:
        counts = dict(
            con.execute(
                "select list_id || ':' || prefix_length, count(*) from raw.exemption_list_entries group by all"
            ).fetchall()
        )
        zeros = con.execute(
            "select count(*) from raw.exemption_list_entries where list_id = 's122' and hts_prefix like '0%'"
        ).fetchone()[0]
        annex_zero = con.execute(
            "select count(*) from raw.exemption_list_entries where list_id = 'annex_ii' and hts_prefix = '0508000000'"
        ).fetchone()[0]
    # methodology 5: CE 109 ten-digit; Annex II 720 ten-digit; S122 1,097 eight-digit + 1 ten-digit (8505110070)
    assert counts == {"ce_study:10": 109, "annex_ii:10": 720, "s122:8": 1097, "s122:10": 1}
    assert zeros == 167  # the 8-digit entries of chapters 01-09 keep their leading zero
    assert annex_zero == 1


def test_655_high_codes_match_82_28_127_147_under_the_study_rule(loaded: Path) -> None:
    with duckdb.connect(str(loaded), read_only=True) as con:
        total = con.execute("select count(*) from read_csv(?, all_varchar = true)", [str(HIGH_CODES)]).fetchone()[0]
        study = _match_counts(con, STUDY_RULE)
        prefix = _match_counts(con, PREFIX_RULE)
    assert total == 655
    assert study == {"ce_study": 82, "annex_ii": 28, "s122": 127, "any": 147}
    for list_id, count in study.items():
        assert prefix[list_id] >= count, (list_id, prefix, study)


def test_committed_ce_seed_covers_the_study_ce_file() -> None:
    """The seed's 20 published headings (4/6/8 digits) cover every one of the study's 109 CE codes, and by
    prefix they match at least the study's 82 High codes (84: also 8542390070 and 8542390090, codes the
    study's CE file lacks, under heading 8542)."""
    seed = REPO_ROOT / "seeds" / "exemption_list_consumer_electronics.csv"
    with duckdb.connect() as con:
        prefixes = "select hts_prefix from read_csv(?, all_varchar = true)"
        uncovered = con.execute(
            f"""
            select count(*) from read_csv(?, all_varchar = true) as ce
            where not exists (select 1 from ({prefixes}) as s where starts_with(ce.HTSUS, s.hts_prefix))
            """,
            [str(LISTS / STUDY_FILES["ce_study"][0]), str(seed)],
        ).fetchone()[0]
        high = con.execute(
            f"""
            select count(distinct h.hs10_code) from read_csv(?, all_varchar = true) as h
            join ({prefixes}) as s on starts_with(h.hs10_code, s.hts_prefix)
            """,
            [str(HIGH_CODES), str(seed)],
        ).fetchone()[0]
    assert uncovered == 0
    assert high == 84
