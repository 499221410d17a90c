"""`python -m bench` at a tiny scale: the report's structure and numbers (never timing targets).

The harness must exit 0 when targets are missed (they are results) and non-zero only when it breaks.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from bench.harness import TARGETS, format_markdown, format_table, median_of, phase_rows
from ingestion.paths import REPO_ROOT

SELECT = "+ai_trade_annual +ai_trade_share_annual +ai_trade_index_monthly +counterfactual_balance_annual"
SECTIONS = (
    "date",
    "machine",
    "config",
    "rows",
    "generate",
    "raw_load",
    "dbt_parse",
    "dbt_first_build",
    "warehouse_bytes_after_first_build",
    "dbt_full_build",
    "floor",
    "new_month_load",
    "dbt_incremental_build",
    "dbt_no_op_build",
    "warehouse_bytes",
    "revision_load",
    "dbt_revision_build",
    "publish",
    "ratios",
    "targets",
    "total_seconds",
)


def run_bench(tmp_path: Path, *extra: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    out = tmp_path / "latest.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--work", str(tmp_path / "work"), "--out", str(out), *extra],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return done, out


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], dict]:
    tmp_path = tmp_path_factory.mktemp("bench_smoke")
    done, out = run_bench(
        tmp_path,
        *("--scale", "0.001", "--first-month", "2022-01", "--skip-census-load", "--select", SELECT, "--repeat", "2"),
    )
    assert out.is_file(), done.stderr[-3000:]
    return done, json.loads(out.read_text())


def test_smoke_run_exits_0_and_reports_every_phase(smoke: tuple[subprocess.CompletedProcess[str], dict]) -> None:
    done, report = smoke
    assert done.returncode == 0, f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert "error" not in report
    for section in SECTIONS:
        assert section in report, section
    assert report["config"]["scale"] == 0.001
    assert report["config"]["months"] == 49  # 2022-01 .. 2026-01
    assert report["machine"]["cpus"] >= 1 and report["machine"]["duckdb"] == duckdb.__version__
    # every size in the report is in decimal GB, the unit of the 6 GB memory target
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():  # Linux
        total_kib = next(int(line.split()[1]) for line in meminfo.open() if line.startswith("MemTotal:"))
        assert report["machine"]["memory_gb"] == round(total_kib * 1024 / 10**9, 1)
    # the printed table names every phase and every target with a status
    for phrase in (
        "raw load",
        "dbt build --full-refresh",
        "floor (bench/floor.sql)",
        "dbt build (incremental, +1 month)",
        "dbt build (nothing new)",
        "dbt build (incremental, revisions of 13 months)",
    ):
        assert phrase in done.stdout
    for name in ("models_vs_floor", "incremental_vs_full", "peak_memory_full_build_gb", "raw_load_rows_per_second"):
        assert name in done.stdout


def test_printed_and_readme_tables_show_every_phase_with_its_time(
    smoke: tuple[subprocess.CompletedProcess[str], dict],
) -> None:
    _, report = smoke
    phases = phase_rows(report)
    assert [name for name, *_ in phases] == [
        "generate (not counted)",
        "raw load",
        "dbt parse",
        "dbt build --full-refresh (first, not in ratios)",
        "dbt build --full-refresh",
        "floor (bench/floor.sql)",
        "the fact alone, no dbt (bench/floor_fact.sql)",
        "load 2026-02 via loader",
        "dbt build (incremental, +1 month)",
        "dbt build (nothing new)",
        "reload 2025-01..2026-01 via loader (revisions)",
        "dbt build (incremental, revisions of 13 months)",
        "aitrade publish (serving copy + parquet)",
    ]
    seconds = {name: value for name, value, _, _ in phases}
    assert seconds["the fact alone, no dbt (bench/floor_fact.sql)"] == report["floor"]["fact"]["seconds"] > 0
    assert seconds["dbt build --full-refresh"] == report["dbt_full_build"]["wall_seconds"]
    assert seconds["reload 2025-01..2026-01 via loader (revisions)"] == report["revision_load"]["seconds"]
    # the incremental row shows the ratio of each round, of which the target takes the median; so does the row of
    # the build with nothing new
    notes = {name: note for name, _, _, note in phases}
    full = report["dbt_full_build"]
    for name, section in (
        ("dbt build (incremental, +1 month)", "dbt_incremental_build"),
        ("dbt build (nothing new)", "dbt_no_op_build"),
    ):
        paired = [b / f for f, b in zip(full["runs_seconds"], report[section]["runs_seconds"], strict=True)]
        assert notes[name].endswith(f"; each over its round's full build: {paired[0]:.3f}, {paired[1]:.3f}"), name
    printed, markdown = format_table(report).splitlines(), format_markdown(report).splitlines()
    for name, value, rss, note in phases:
        assert [line for line in printed if line.startswith(f"{name}  ") and f" {value:.1f} " in line], name
        shown_rss = "" if rss is None else f"{rss:.2f}"
        assert f"| {name} | {value:.1f} | {shown_rss} | {note} |" in markdown, name
    # the paragraph above the tables keeps to the README's wrap; the tables are one line per row
    assert markdown[2] == "" and all(0 < len(line) <= 120 for line in markdown[:2]), markdown[:3]


def test_smoke_numbers_are_measured_and_consistent(smoke: tuple[subprocess.CompletedProcess[str], dict]) -> None:
    _, report = smoke
    rows = report["rows"]
    assert rows["imports"] > 0 and rows["exports"] > 0
    assert rows["total"] == rows["imports"] + rows["exports"]
    seconds = report["raw_load"]["seconds"]  # rounded to 0.01 in the report: the rate lies within that rounding
    assert rows["total"] / (seconds + 0.005) <= report["raw_load"]["rows_per_second"] + 1
    assert seconds < 0.005 or report["raw_load"]["rows_per_second"] <= rows["total"] / (seconds - 0.005)
    assert report["new_month_load"]["month"] == "2026-02" and report["new_month_load"]["rows"] > 0
    assert report["warehouse_bytes"] >= report["warehouse_bytes_after_first_build"] > 0

    # the 13 months before the new one (2025-01..2026-01) re-pulled through the loader (the harness stops if the
    # loader skips a partition); they hold more rows than the one new month
    revision = report["revision_load"]
    assert (revision["months"], revision["first_month"], revision["last_month"]) == (13, "2025-01", "2026-01")
    assert revision["rows"] > 10 * report["new_month_load"]["rows"] > 0 and revision["seconds"] > 0

    builds = ("dbt_first_build", "dbt_full_build", "dbt_incremental_build", "dbt_no_op_build", "dbt_revision_build")
    for build in builds:
        part = report[build]
        assert part["exit_code"] == 0, part
        assert part["wall_seconds"] > 0 and part["peak_rss_gb"] > 0
        assert part["by_type"]["model"]["count"] > 0 and part["by_type"]["test"]["count"] > 0
        assert 0 < part["models_seconds"] <= part["wall_seconds"]
        assert 0 < part["tests_seconds"] <= part["wall_seconds"]
        assert part["slowest"] and all(n["seconds"] >= 0 for n in part["slowest"])
        assert part["failures"] == {} and part["skipped"] == {}
        # a production build: data tests, no unit tests
        assert "--exclude-resource-type unit_test" in part["command"] and "unit_test" not in part["by_type"]
    assert "--full-refresh" in report["dbt_first_build"]["command"] == report["dbt_full_build"]["command"]
    assert "--full-refresh" not in report["dbt_incremental_build"]["command"]
    assert "--full-refresh" not in report["dbt_no_op_build"]["command"]
    assert "--full-refresh" not in report["dbt_revision_build"]["command"]

    # The full build, the floor, the new-month build and the build with nothing new ran in two rounds after the first
    # build; the report keeps the median run (the lower of two). The second round starts from the warehouse the first
    # build left: had it not been put back, the loader would skip the month it already holds, and the harness would
    # stop.
    for section, key in (
        ("dbt_full_build", "wall_seconds"),
        ("floor", "seconds"),
        ("new_month_load", "seconds"),
        ("dbt_incremental_build", "wall_seconds"),
        ("dbt_no_op_build", "wall_seconds"),
    ):
        runs = report[section]["runs_seconds"]
        assert len(runs) == 2 and report[section][key] == min(runs), section
    assert "runs_seconds" not in report["dbt_revision_build"]
    # every run keeps its own dbt output and run_results.json; the report points at the median run's
    work = Path(report["config"]["work"])
    for section, phase, count in (
        ("dbt_first_build", "first_build", 1),
        ("dbt_full_build", "full_build", 2),
        ("dbt_incremental_build", "incremental_build", 2),
        ("dbt_no_op_build", "no_op_build", 2),
        ("dbt_revision_build", "revision_build", 1),
    ):
        logs = sorted(work.glob(f"dbt_{phase}_*.log"))
        assert [log.name for log in logs] == [f"dbt_{phase}_{n}.log" for n in range(1, count + 1)], section
        kept = json.loads(Path(report[section]["run_results"]).read_text())
        assert round(kept["elapsed_time"], 2) == report[section]["elapsed_seconds"], section
        assert Path(report[section]["log"]) in logs and report[section]["run_results"].startswith(
            report[section]["log"][:-4]
        )

    # the first build, then rounds: the first round's builds ran before the second round's full build
    written = [
        (work / f"dbt_{phase}_{n}.log").stat().st_mtime
        for phase, n in (
            ("first_build", 1),
            *((phase, n) for n in (1, 2) for phase in ("full_build", "incremental_build", "no_op_build")),
        )
    ]
    assert written == sorted(written)

    floor = report["floor"]
    assert 0 < floor["seconds"] <= floor["process_seconds"]  # the script's own time, inside its process
    assert floor["all_equal"] is True
    for name in ("ai_trade_annual", "ai_trade_share_annual", "ai_trade_index_monthly", "counterfactual_balance_annual"):
        check = floor["checks"][name]
        assert check["status"] == "equal", check
        assert check["floor_rows"] == check["mart_rows"] > 0
    # the fact written without dbt is the mart, row for row (the full build's fact: no month loaded since)
    fact_check = floor["fact"]["check"]
    assert (fact_check["status"], fact_check["rows_equal"], fact_check["differing_columns"]) == ("equal", True, [])
    assert fact_check["floor_rows"] == fact_check["mart_rows"] > 0 and "built_at" not in fact_check["columns"]
    assert len(floor["fact"]["runs_seconds"]) == 2 and floor["fact"]["seconds"] in floor["fact"]["runs_seconds"]

    assert report["publish"]["marts"] >= 4 and report["publish"]["rows"] > 0 and report["publish"]["serving_bytes"] > 0

    ratios = report["ratios"]
    full = report["dbt_full_build"]
    assert ratios["models_vs_floor"] == round(full["models_seconds"] / floor["seconds"], 3)
    assert ratios["models_vs_floor_and_fact"] == round(
        full["models_seconds"] / (floor["seconds"] + floor["fact"]["seconds"]), 3
    )
    # the ratio of each round's incremental build, and of its build with nothing new, to the same round's full build;
    # of two rounds, the lower
    for ratio, section in (("incremental_vs_full", "dbt_incremental_build"), ("no_op_vs_full", "dbt_no_op_build")):
        runs = report[section]["runs_seconds"]
        assert ratios[ratio] == min(round(b / f, 3) for f, b in zip(full["runs_seconds"], runs, strict=True)), ratio
    assert ratios["peak_memory_full_build_gb"] == full["peak_rss_gb"]
    assert set(report["targets"]) == {
        "models_vs_floor",
        "incremental_vs_full",
        "peak_memory_full_build_gb",
        "raw_load_rows_per_second",
    }
    for name, target in report["targets"].items():  # a missed target is a result, and the exit code stays 0
        op, limit, _ = TARGETS[name]
        met = ratios[name] <= limit if op == "<=" else ratios[name] >= limit
        assert target["status"] == ("MET" if met else "MISSED"), name
        assert target["value"] == ratios[name]


def test_harness_exits_non_zero_when_it_breaks(tmp_path: Path) -> None:
    done, out = run_bench(tmp_path, "--scale", "0.001", "--first-month", "2026-13", "--skip-census-load")
    assert done.returncode == 1
    report = json.loads(out.read_text())
    assert "error" in report
    assert "bench harness FAILED" in done.stderr


def test_the_median_run_keeps_its_own_record_every_time_and_the_highest_peak() -> None:
    runs = [
        {"wall_seconds": 30.0, "models_seconds": 20.0, "peak_rss_gb": 1.0},
        {"wall_seconds": 10.0, "models_seconds": 5.0, "peak_rss_gb": 3.0},
        {"wall_seconds": 20.0, "models_seconds": 12.0, "peak_rss_gb": 2.0},
    ]
    assert median_of(runs) == {
        "wall_seconds": 20.0,
        "models_seconds": 12.0,
        "peak_rss_gb": 3.0,
        "runs_seconds": [30.0, 10.0, 20.0],
    }
    loads = [{"seconds": 2.0, "rows": 7}, {"seconds": 1.0, "rows": 7}]
    assert median_of(loads) == {"seconds": 1.0, "rows": 7, "runs_seconds": [2.0, 1.0]}
