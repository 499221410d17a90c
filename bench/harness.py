"""`python -m bench` (make bench): the full-size benchmark of issue 6, in one run on the same data.

Phases: generate the synthetic Census-shaped history (ingestion/demo_scaled.py; not counted as load), raw load (the
generated files streamed into the raw tables), `dbt parse`, a full `dbt build --full-refresh`, the floor
(bench/floor.sql: the headline marts straight from raw, no dbt; checked equal to the marts) and, timed apart from it,
the fact written without dbt (bench/floor_fact.sql: the table the warehouse keeps that the floor does not need), one new
month loaded through the real loader (`load_trade_partition`), an incremental `dbt build`, a build with nothing new
(what every build costs whatever it changes), the 13 months before the new one reloaded as Census revisions with another
incremental build, `aitrade publish`, and optionally bench/census_load.py.
Every build is a production build (PRODUCTION_BUILD): data tests run, unit tests do not. A first build of the models on
the raw tables is timed apart; the full build, the floor, the new-month build and the build with nothing new then run in
`--repeat` rounds, in that order, each round from the warehouse the first build left, so that every round starts alike.
The report keeps each phase's median run and, for the incremental ratio, the median of the rounds' own ratios: this
machine's speed varies by 10-20% from run to run, and drifts within the hour.
It records wall times (models and tests separately, from dbt's run_results.json), the slowest nodes, peak RSS of the
process tree of each phase, the warehouse file size, the ratios against the issue's targets, and writes
bench/results/latest.json plus a printed table.

Missing a target is a result, not a failure: the harness prints MISSED and exits 0. It exits 1 only when the
harness itself breaks (a phase crashes, a model fails to build or is skipped after a failing test, a test cannot
run, the floor script fails); dbt data-test failures that skip nothing are reported (they are findings about the data)
and the run continues.

    .venv/bin/python -m bench                   # full size (about 48M rows); run on a quiet machine
    .venv/bin/python -m bench --scale 0.01      # a quick run
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from bench.rss import PeakTreeMemory
from ingestion import demo_scaled
from ingestion.errors import UserError
from ingestion.files import write_atomically
from ingestion.paths import REPO_ROOT, landing_dir
from ingestion.publish import publish, sql_identifier, sql_literal
from ingestion.schema import FLOWS
from ingestion.secrets import SECRET_ENV_VARIABLES
from ingestion.warehouse import connect, load_trade_partition

RESULTS = REPO_ROOT / "bench" / "results" / "latest.json"
FLOOR_SQL = REPO_ROOT / "bench" / "floor.sql"
FLOOR_FACT_SQL = REPO_ROOT / "bench" / "floor_fact.sql"
# The mart bench/floor_fact.sql writes again, and its column the floor leaves out (the build's own time).
FACT_MART, FACT_BUILD_COLUMN = "fct_trade_monthly", "built_at"
CENSUS_LOAD = REPO_ROOT / "bench" / "census_load.py"
REVISED_MONTHS = 13  # the months a monthly refresh re-pulls besides the new one (README, Monthly refresh)
BIN = Path(sys.executable).parent
GB = 10**9  # decimal gigabytes, as in the memory target (6 GB) and DuckDB's memory_limit ('4GB')

# Every timed build is a production build, the README's monthly refresh: data tests run, unit tests do not. Unit
# tests check the SQL on fixed inputs, so dbt Labs recommends running them in development and CI only (`make test`
# runs them).
PRODUCTION_BUILD = ["build", "--exclude-resource-type", "unit_test"]


TARGETS = {
    "models_vs_floor": ("<=", 2.0, "full dbt build of the models / floor"),
    "incremental_vs_full": (
        "<=",
        0.2,
        "incremental dbt build of one new month / full dbt build (the median of the rounds' own ratios)",
    ),
    "peak_memory_full_build_gb": ("<=", 6.0, "peak RSS of the full dbt build's process tree (GB)"),
    "raw_load_rows_per_second": (
        ">=",
        1_000_000,
        "raw load rows per second (bulk load of the generated history; the validating loader is new_month_load)",
    ),
}


@dataclass(frozen=True)
class FloorCheck:
    """A floor output compared with the mart of the same meaning: every floor column must match."""

    floor_table: str
    mart: str
    keys: tuple[str, ...]
    mart_filter: str = "true"


FLOOR_CHECKS = (
    FloorCheck("ai_trade_annual", "ai_trade_annual", ("flow", "year", "relevance_group", "primary_category")),
    FloorCheck("ai_trade_share_annual", "ai_trade_share_annual", ("flow", "year")),
    FloorCheck("ai_trade_index_monthly", "ai_trade_index_monthly", ("flow", "month", "series")),
    FloorCheck("counterfactual_balance_annual", "counterfactual_balance_annual", ("year",), "is_study_variant"),
    FloorCheck(
        "tariff_rates_monthly", "tariff_rates_monthly", ("month", "relevance_group"), "breakdown = 'relevance_group'"
    ),
)


class HarnessError(RuntimeError):
    """The benchmark could not be measured (as opposed to a target being missed)."""


@dataclass
class Run:
    args: argparse.Namespace
    work: Path
    db: Path
    report: dict[str, Any] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        """The environment of every process the bench starts (dbt, the floor, census_load): this one without the
        API keys, which none of them needs."""
        return {
            **{name: value for name, value in os.environ.items() if name not in SECRET_ENV_VARIABLES},
            "AI_TRADE_DUCKDB": str(self.db),
            "DBT_TARGET_PATH": str(self.work / "dbt_target"),
            "DBT_LOG_PATH": str(self.work / "dbt_logs"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of full Census size (default 1.0)")
    parser.add_argument("--seed", type=int, default=2026, help="generator seed")
    parser.add_argument("--first-month", default=demo_scaled.FIRST_MONTH, help="first month of the history")
    parser.add_argument("--last-month", default=demo_scaled.LAST_MONTH, help="last month of the history")
    parser.add_argument("--work", type=Path, default=REPO_ROOT / "data" / "bench", help="scratch folder (erased first)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="report file (default bench/results/latest.json)")
    parser.add_argument(
        "--select", default=None, help="dbt selection for both builds (default: everything; e.g. for a smoke run)"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="rounds of the full build, the floor, the new-month build and the build with nothing new; the report "
        "keeps the medians (default 3)",
    )
    parser.add_argument("--skip-census-load", action="store_true", help="do not run bench/census_load.py")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the warehouse and generated files afterwards (each dbt run's output is always kept)",
    )
    parser.add_argument(
        "--markdown", type=Path, default=None, metavar="REPORT", help="print an existing report as markdown and exit"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.repeat < 1:
        print("--repeat must be at least 1", file=sys.stderr)
        return 2
    if args.markdown:
        print(format_markdown(json.loads(args.markdown.read_text())))
        return 0
    work = args.work.resolve()
    run = Run(args, work, work / "warehouse.duckdb")
    started = time.perf_counter()
    status = 0
    try:
        measure(run)
    except Exception as error:
        run.report["error"] = f"{type(error).__name__}: {error}"
        traceback.print_exc()
        status = 1
    run.report["total_seconds"] = round(time.perf_counter() - started, 2)
    write_report(run.report, args.out)
    print(format_table(run.report))
    print(f"\nreport: {args.out}")
    if status:
        print(f"bench harness FAILED: {run.report['error']}", file=sys.stderr)
    elif not args.keep:
        remove_all_but_dbt_output(work)
    return status


def remove_all_but_dbt_output(work: Path) -> None:
    """Free the work folder's gigabytes (warehouse, generated files, copies) but keep each dbt run's output and
    run_results.json, which the report points at."""
    for path in work.iterdir():
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        elif not path.name.startswith("dbt_"):
            path.unlink(missing_ok=True)


def measure(run: Run) -> None:
    args = run.args
    config = demo_scaled.ScaledConfig(args.scale, args.seed, args.first_month, args.last_month)
    report = run.report
    try:
        months = config.months()
    except UserError as error:
        raise HarnessError(str(error)) from error
    if not months or config.last_month >= demo_scaled.NEXT_MONTH or config.first_month < demo_scaled.FIRST_MONTH:
        raise HarnessError(
            f"no history between {config.first_month} and {config.last_month} (months from "
            f"{demo_scaled.FIRST_MONTH}, and before {demo_scaled.NEXT_MONTH}, the month the incremental build adds)"
        )
    report.update(
        {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": machine(),
            "config": {
                "scale": args.scale,
                "seed": args.seed,
                "first_month": config.first_month,
                "last_month": config.last_month,
                "new_month": demo_scaled.NEXT_MONTH,
                "months": len(months),
                "work": str(run.work),
                "dbt_select": args.select,
            },
        }
    )
    if run.work.exists():
        shutil.rmtree(run.work)
    run.work.mkdir(parents=True)

    # 1. generate (not counted as load) and 2. raw load
    con = connect(run.db)
    try:
        started = time.perf_counter()
        demo_scaled.prepare(con, config)
        reference = demo_scaled.write_reference(con, config)
        files = demo_scaled.generate_history(con, config, run.work / "generated")
        generate_seconds = time.perf_counter() - started
        with PeakTreeMemory() as memory:
            started = time.perf_counter()
            rows = demo_scaled.load_history(con, files)
            load_seconds = time.perf_counter() - started
    finally:
        con.close()
    total_rows = sum(rows.values())
    report["rows"] = {"imports": rows["imports"], "exports": rows["exports"], "total": total_rows}
    report["reference_rows"] = reference
    report["generate"] = {"seconds": round(generate_seconds, 2), "files": len(files)}
    report["raw_load"] = {
        "seconds": round(load_seconds, 2),
        "rows_per_second": round(total_rows / load_seconds) if load_seconds else None,
        "peak_rss_gb": round(memory.peak_bytes / GB, 3),
        "path": "bulk insert of generated parquet files into raw.census_* with load_manifest rows, "
        "one transaction per flow and year",
    }

    # 3. dbt parse, 4. the first build of the models
    report["dbt_parse"] = timed_dbt(run, "parse", ["parse"], summarize=False)
    # a partial selection runs only the tests whose parents are all selected
    select = ["--select", *run.args.select.split(), "--indirect-selection", "cautious"] if run.args.select else []
    build = [*PRODUCTION_BUILD, *select]
    report["dbt_first_build"] = timed_dbt(run, "first_build", [*build, "--full-refresh"])
    report["warehouse_bytes_after_first_build"] = file_size(run.db)
    # The phases the ratios divide run in `--repeat` rounds: 5. a full build, 6. the floor (checked equal to the marts)
    # and the fact without dbt, 7. one new month through the real loader, 8. an incremental build and 9. a build with
    # nothing new, which is the fixed cost of every build (start-up, and dbt's work for each node). A round keeps
    # the incremental build next to its full build, so their ratio is taken from the same minutes of a machine whose
    # speed drifts. Every round starts from the warehouse the first build left: its full build replaces every
    # relation, as a user's does, and its incremental build runs on the file that leaves (the first build's, on raw
    # tables alone, had nothing to replace and left a smaller file).
    snapshot = run.work / "before_new_month.duckdb"
    if args.repeat > 1:
        copy_closed_warehouse(run.db, snapshot)
    fulls: list[dict[str, Any]] = []
    floors: list[dict[str, Any]] = []
    loads: list[dict[str, Any]] = []
    incrementals: list[dict[str, Any]] = []
    no_ops: list[dict[str, Any]] = []
    for round_number in range(args.repeat):
        if round_number:
            copy_closed_warehouse(snapshot, run.db)
        fulls.append(timed_dbt(run, "full_build", [*build, "--full-refresh"]))
        floors.append(run_floor(run))
        loads.append(load_via_loader(run, config, [demo_scaled.NEXT_MONTH], replace=False))
        incrementals.append(timed_dbt(run, "incremental_build", build))
        no_ops.append(timed_dbt(run, "no_op_build", build))
    snapshot.unlink(missing_ok=True)
    report["dbt_full_build"] = median_of(fulls)
    report["floor"] = median_of(floors)
    report["floor"]["fact"]["runs_seconds"] = [floor["fact"]["seconds"] for floor in floors]
    report["dbt_incremental_build"] = median_of(incrementals)
    report["dbt_no_op_build"] = median_of(no_ops)
    report["new_month_load"] = {"month": demo_scaled.NEXT_MONTH, **median_of(loads)}
    report["warehouse_bytes"] = file_size(run.db)

    # 10. the rest of a real monthly refresh: the months before the new one re-pulled (Census revisions,
    #    `--refresh-months 13` in the README) and replaced through the loader, 11. an incremental build
    revised = months[-REVISED_MONTHS:]
    report["revision_load"] = {
        "months": len(revised),
        "first_month": revised[0],
        "last_month": revised[-1],
        **load_via_loader(run, config, revised, replace=True),
    }
    report["dbt_revision_build"] = timed_dbt(run, "revision_build", build)

    # 12. the BI copies a monthly refresh ends with (aitrade publish)
    with PeakTreeMemory() as memory:
        published = publish(run.db, run.work / "published", lock_wait_seconds=0, progress=False)
    report["publish"] = {
        "seconds": round(published.seconds, 2),
        "peak_rss_gb": round(memory.peak_bytes / GB, 3),
        "marts": len(published.marts),
        "rows": published.total_rows,
        "serving_bytes": published.serving_path.stat().st_size,
    }

    # 13. the issue-3 census load benchmark (its own script)
    if not run.args.skip_census_load and CENSUS_LOAD.is_file():
        report["census_load"] = run_census_load(run)

    report["ratios"] = ratios(report)
    report["targets"] = targets(report["ratios"])


def median_of(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The record of the median run (by `wall_seconds`, else `seconds`; the lower one of an even count), with every
    run's time in `runs_seconds` and the highest peak RSS of any run."""

    def seconds(result: dict[str, Any]) -> float:
        return result.get("wall_seconds", result.get("seconds", 0.0))

    median = dict(sorted(results, key=seconds)[(len(results) - 1) // 2])
    median["runs_seconds"] = [seconds(result) for result in results]
    peaks = [result["peak_rss_gb"] for result in results if result.get("peak_rss_gb") is not None]
    if peaks:
        median["peak_rss_gb"] = max(peaks)
    return median


def copy_closed_warehouse(source: Path, target: Path) -> None:
    """Copy a warehouse file no process has open (then it has no write-ahead log), replacing `target`'s."""
    if source.with_name(source.name + ".wal").exists():
        raise HarnessError(f"{source} has a write-ahead log: it is open or was not closed cleanly")
    target.with_name(target.name + ".wal").unlink(missing_ok=True)
    shutil.copyfile(source, target)


def load_via_loader(run: Run, config: demo_scaled.ScaledConfig, months: list[str], replace: bool) -> dict[str, Any]:
    """Send generated months of both flows through the real loader (`load_trade_partition`: validate, land,
    manifest), timing the loader only (generating each month is not counted, as for the raw load). `replace`
    re-loads months already loaded, as a revision re-pull does. A partition the loader skips is an error."""
    con = connect(run.db)
    rows, seconds = 0, 0.0
    try:
        demo_scaled.prepare(con, config)
        for flow in FLOWS:
            for month in months:
                partition, table = demo_scaled.month_partition(con, config, flow, month)
                started = time.perf_counter()
                result = load_trade_partition(con, partition, table, landing_dir(run.db), replace=replace)
                seconds += time.perf_counter() - started
                if result.skipped:
                    raise HarnessError(f"the loader skipped {result.partition_id}: nothing was loaded to time")
                rows += result.rows
    finally:
        con.close()
    return {
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_second": round(rows / seconds) if seconds else None,
        "path": "ingestion.warehouse.load_trade_partition (validate, land parquet, manifest), one partition per "
        "flow and month",
    }


def machine() -> dict[str, Any]:
    memory = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = round(int(line.split()[1]) * 1024 / GB, 1)
    except OSError:
        pass
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "memory_gb": memory,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
        "duckdb": duckdb.__version__,
        "dbt": dbt_version(),
    }


def dbt_version() -> str | None:
    try:
        from importlib.metadata import version

        return f"dbt-core {version('dbt-core')}, dbt-duckdb {version('dbt-duckdb')}"
    except Exception:
        return None


def timed_dbt(run: Run, phase: str, command: list[str], summarize: bool = True) -> dict[str, Any]:
    """Run dbt in a subprocess, timing it and sampling its process tree's memory; summarize run_results.json.
    Each run of a phase keeps its own output and run_results.json in the work folder (`dbt_<phase>_<n>.*`)."""
    target = run.work / "dbt_target"
    results_path = target / "run_results.json"
    results_path.unlink(missing_ok=True)
    log_path = run.work / f"dbt_{phase}_{len(list(run.work.glob(f'dbt_{phase}_*.log'))) + 1}.log"
    with PeakTreeMemory(include_self=False) as memory, open(log_path, "w") as log:
        started = time.perf_counter()
        done = subprocess.run(
            [str(BIN / "dbt"), *command], cwd=REPO_ROOT, env=run.env(), stdout=log, stderr=subprocess.STDOUT
        )
        wall = time.perf_counter() - started
    summary: dict[str, Any] = {
        "command": "dbt " + " ".join(command),
        "wall_seconds": round(wall, 2),
        "peak_rss_gb": round(memory.peak_bytes / GB, 3),
        "exit_code": done.returncode,
        "log": str(log_path),
    }
    if summarize:
        if not results_path.is_file():
            raise HarnessError(f"`dbt {' '.join(command)}` wrote no run_results.json; see {log_path}")
        summary.update(summarize_run_results(json.loads(results_path.read_text()), wall))
        summary["run_results"] = str(shutil.copyfile(results_path, log_path.with_suffix(".run_results.json")))
        check_timeable(summary, log_path)
    elif done.returncode != 0:
        raise HarnessError(f"`dbt {' '.join(command)}` failed (exit {done.returncode}); see {log_path}")
    return summary


def check_timeable(summary: dict[str, Any], log_path: Path) -> None:
    """Refuse a build's timing when a model or seed failed or was skipped (after a failing test), or a node errored:
    a node that could not run took no time, so the timing would flatter the build."""
    broken = summary["failures"].get("model", []) + summary["failures"].get("seed", [])
    if broken:
        raise HarnessError(f"`{summary['command']}`: models failed to build: {broken[:5]}; see {log_path}")
    skipped = summary["skipped"].get("model", []) + summary["skipped"].get("seed", [])
    if skipped:
        raise HarnessError(f"`{summary['command']}`: models were skipped: {skipped[:5]}; see {log_path}")
    if summary["errors"]:
        raise HarnessError(f"`{summary['command']}`: nodes errored: {summary['errors'][:5]}; see {log_path}")


def summarize_run_results(results: dict[str, Any], wall: float) -> dict[str, Any]:
    """Per resource type: node count, summed node seconds and wall span (union of the nodes' intervals)."""
    kinds: dict[str, dict[str, Any]] = {}
    intervals: dict[str, list[tuple[float, float]]] = {}
    failures: dict[str, list[str]] = {}
    skipped: dict[str, list[str]] = {}
    errors: list[str] = []
    nodes = []
    for result in results.get("results", []):
        unique_id = result["unique_id"]
        kind = unique_id.split(".", 1)[0]
        kind = "test" if kind in ("test", "unit_test") else kind
        seconds = float(result.get("execution_time") or 0.0)
        entry = kinds.setdefault(kind, {"count": 0, "sum_seconds": 0.0})
        entry["count"] += 1
        entry["sum_seconds"] += seconds
        span = _interval(result.get("timing") or [])
        if span:
            intervals.setdefault(kind, []).append(span)
        if result.get("status") in ("error", "fail", "runtime error"):
            failures.setdefault(kind, []).append(unique_id)
        if result.get("status") in ("error", "runtime error"):
            errors.append(unique_id)
        if result.get("status") == "skipped":
            skipped.setdefault(kind, []).append(unique_id)
        nodes.append((seconds, unique_id))
    for kind, entry in kinds.items():
        entry["sum_seconds"] = round(entry["sum_seconds"], 2)
        entry["wall_seconds"] = round(_union_length(intervals.get(kind, [])), 2)
    all_nodes = [span for spans in intervals.values() for span in spans]
    nodes_wall = _union_length(all_nodes)
    return {
        "elapsed_seconds": round(float(results.get("elapsed_time") or 0.0), 2),
        "models_seconds": kinds.get("model", {}).get("wall_seconds", 0.0),
        "tests_seconds": kinds.get("test", {}).get("wall_seconds", 0.0),
        "overhead_seconds": round(max(wall - nodes_wall, 0.0), 2),
        "by_type": kinds,
        "slowest": [{"node": node, "seconds": round(s, 2)} for s, node in sorted(nodes, reverse=True)[:12]],
        "failures": failures,
        "skipped": skipped,
        "errors": errors,
    }


def _interval(timing: list[dict[str, Any]]) -> tuple[float, float] | None:
    starts, ends = [], []
    for step in timing:
        if step.get("started_at") and step.get("completed_at"):
            starts.append(datetime.fromisoformat(step["started_at"].replace("Z", "+00:00")).timestamp())
            ends.append(datetime.fromisoformat(step["completed_at"].replace("Z", "+00:00")).timestamp())
    return (min(starts), max(ends)) if starts else None


def _union_length(spans: list[tuple[float, float]]) -> float:
    total, current_start, current_end = 0.0, None, None
    for start, end in sorted(spans):
        if current_end is None or start > current_end:
            if current_end is not None:
                total += current_end - current_start
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None:
        total += current_end - current_start
    return total


# Times each script itself, as dbt's model times are its nodes' spans (no interpreter start-up or connection): the
# floor, then the fact into the attached scratch file (one session: the fact reads the floor's labels).
FLOOR_RUNNER = """
import os, sys, time, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("set enable_progress_bar = false")  # stdout carries the times
# the DuckDB settings of the dbt builds (profiles.yml)
con.execute("set memory_limit = '" + os.environ.get("AI_TRADE_DUCKDB_MEMORY_LIMIT", "4GB") + "'")
con.execute("set preserve_insertion_order = false")
con.execute("attach '" + sys.argv[4] + "' as floor_fact")  # the path, quoted by the harness
for script in sys.argv[2:4]:
    sql = open(script).read()
    started = time.perf_counter()
    con.execute(sql)
    print(time.perf_counter() - started)
con.close()
"""


def run_floor(run: Run) -> dict[str, Any]:
    """Time bench/floor.sql and then bench/floor_fact.sql in their own process, compare their tables with the marts,
    and drop them (the fact's scratch file too). `seconds` is the floor's; `fact` holds the fact's time and check."""
    scratch = run.work / "floor_fact.duckdb"
    scratch_files = (scratch, scratch.with_name(scratch.name + ".wal"))
    try:
        with PeakTreeMemory(include_self=False) as memory:
            started = time.perf_counter()
            done = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    FLOOR_RUNNER,
                    str(run.db),
                    str(FLOOR_SQL),
                    str(FLOOR_FACT_SQL),
                    sql_literal(str(scratch)),
                ],
                env=run.env(),
                capture_output=True,
                text=True,
            )
            process_seconds = time.perf_counter() - started
        if done.returncode != 0:
            raise HarnessError(f"bench/floor.sql or bench/floor_fact.sql failed: {done.stderr[-2000:]}")
        seconds, fact_seconds = (float(line) for line in done.stdout.strip().splitlines()[-2:])
        con = duckdb.connect(str(run.db))
        try:
            checks = {check.floor_table: compare(con, check) for check in FLOOR_CHECKS}
            con.execute("drop schema bench_floor cascade")
            con.execute(f"attach '{sql_literal(str(scratch))}' as floor_fact (read_only)")
            fact_check = compare_by_checksum(con, "floor_fact", FACT_MART, FACT_BUILD_COLUMN)
        finally:
            con.close()
    finally:
        for path in scratch_files:
            path.unlink(missing_ok=True)
    return {
        "seconds": round(seconds, 2),
        "process_seconds": round(process_seconds, 2),
        "peak_rss_gb": round(memory.peak_bytes / GB, 3),
        "checks": checks,
        "all_equal": all(c["status"] == "equal" for c in checks.values() if c["status"] != "skipped"),
        "fact": {"seconds": round(fact_seconds, 2), "check": fact_check},
    }


def compare(con: duckdb.DuckDBPyConnection, check: FloorCheck) -> dict[str, Any]:
    """Every floor row must have a mart row with the same keys and equal values (doubles to 1e-9 relative, money
    to the cent), and the row counts must match."""
    mart_columns = table_columns(con, "marts", check.mart)
    if not mart_columns:
        return {"status": "skipped", "reason": f"marts.{check.mart} does not exist"}
    floor_columns = list(table_columns(con, "bench_floor", check.floor_table))
    missing = [c for c in floor_columns if c not in mart_columns]
    if missing:
        return {"status": "skipped", "reason": f"marts.{check.mart} lacks column(s) {missing}"}
    values = [c for c in floor_columns if c not in check.keys]
    join = " and ".join(f"f.{k} is not distinct from m.{k}" for k in check.keys)
    mismatch = " or ".join(
        f"not (f.{c} is not distinct from m.{c} or abs(cast(f.{c} as double) - cast(m.{c} as double)) "
        f"<= 0.005 + 1e-9 * abs(cast(m.{c} as double)))"
        if mart_columns[c] not in ("VARCHAR", "DATE", "BOOLEAN")
        else f"f.{c} is distinct from m.{c}"
        for c in values
    )
    mart = f"(select * from marts.{check.mart} where {check.mart_filter})"
    floor_rows, mart_rows = con.execute(
        f"select (select count(*) from bench_floor.{check.floor_table}), (select count(*) from {mart})"
    ).fetchone()
    bad = con.execute(
        f"""
        select count(*) from bench_floor.{check.floor_table} f
        left join {mart} m on {join}
        where m.{check.keys[0]} is null or {mismatch or "false"}
        """
    ).fetchone()[0]
    example = None
    if bad:
        example = con.execute(
            f"""
            select f.*, m.* from bench_floor.{check.floor_table} f left join {mart} m on {join}
            where m.{check.keys[0]} is null or {mismatch or "false"} limit 1
            """
        ).fetchone()
    equal = bad == 0 and floor_rows == mart_rows
    return {
        "status": "equal" if equal else "DIFFERENT",
        "floor_rows": floor_rows,
        "mart_rows": mart_rows,
        "mismatched_rows": bad,
        "columns": values,
        "example": [str(v) for v in example] if example else None,
    }


def table_columns(
    con: duckdb.DuckDBPyConnection, schema: str, table: str, database: str | None = None
) -> dict[str, str]:
    """{column: data type} of a table, in column order (the connection's own database unless `database`); empty
    when there is no such table."""
    return dict(
        con.execute(
            "select column_name, data_type from duckdb_columns() "
            "where database_name = coalesce(?, current_database()) and schema_name = ? and table_name = ? "
            "order by column_index",
            [database, schema, table],
        ).fetchall()
    )


def compare_by_checksum(
    con: duckdb.DuckDBPyConnection, copy_database: str, mart: str, except_column: str
) -> dict[str, Any]:
    """The table `mart` of the attached database `copy_database` against `marts.mart`, without a join of tens of
    millions of rows: the same columns (but `except_column`, which only the mart has) of the same types, the same
    row count, and equal order-free checksums (sums of hashes) of whole rows and of each column. Hashes ignore
    types, hence the type check; the column checksums name the columns that differ."""
    copy = f"{sql_identifier(copy_database)}.main.{sql_identifier(mart)}"
    mart_types = {name: kind for name, kind in table_columns(con, "marts", mart).items() if name != except_column}
    copy_types = table_columns(con, "main", mart, copy_database)
    if not mart_types or not copy_types:
        return {"status": "skipped", "reason": f"no marts.{mart}" if not mart_types else f"no {copy}"}
    differing_types = sorted(
        name for name in mart_types.keys() | copy_types.keys() if mart_types.get(name) != copy_types.get(name)
    )
    if differing_types:
        return {"status": "DIFFERENT", "differing_types": differing_types}
    names = [sql_identifier(name) for name in mart_types]
    checksums = ", ".join(f"sum(hash({expression})::hugeint)" for expression in (", ".join(names), *names))
    copied, original = (
        con.execute(f"select count(*), {checksums} from {table}").fetchone()
        for table in (copy, f"marts.{sql_identifier(mart)}")
    )
    differing = [name for name, a, b in zip(mart_types, copied[2:], original[2:], strict=True) if a != b]
    equal = copied[0] == original[0] and copied[1] == original[1] and not differing
    return {
        "status": "equal" if equal else "DIFFERENT",
        "floor_rows": copied[0],
        "mart_rows": original[0],
        "rows_equal": copied[1] == original[1],
        "columns": list(mart_types),
        "differing_columns": differing,
    }


def run_census_load(run: Run) -> dict[str, Any]:
    command = [sys.executable, str(CENSUS_LOAD)]
    if run.args.scale < 1:
        command += ["--scale", str(max(run.args.scale, 0.05)), "--pacing-requests", "12"]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO_ROOT, env=run.env(), capture_output=True, text=True, timeout=900)
    return {
        "command": " ".join(command[1:]),
        "seconds": round(time.perf_counter() - started, 2),
        "exit_code": done.returncode,
        "output": done.stdout.strip().splitlines()[-12:],
    }


def ratios(report: dict[str, Any]) -> dict[str, float | None]:
    full = report["dbt_full_build"]
    incremental = report["dbt_incremental_build"]
    floor = report["floor"]["seconds"]
    fact = report["floor"].get("fact", {})
    fact_seconds = fact.get("seconds") if fact.get("check", {}).get("status") == "equal" else None
    return {
        "models_vs_floor": _ratio(full["models_seconds"], floor),
        # not a target: what the models cost against the floor plus writing the fact they keep
        "models_vs_floor_and_fact": _ratio(
            full["models_seconds"], floor + fact_seconds if fact_seconds is not None else None
        ),
        "build_vs_floor": _ratio(full["wall_seconds"], floor),
        "incremental_vs_full": statistics.median_low(round_ratios(full, incremental)),
        # not a target: the part of the incremental ratio that a build with nothing new costs too
        "no_op_vs_full": statistics.median_low(round_ratios(full, report["dbt_no_op_build"])),
        "peak_memory_full_build_gb": full["peak_rss_gb"],
        "raw_load_rows_per_second": report["raw_load"]["rows_per_second"],
        "new_month_loader_rows_per_second": report["new_month_load"]["rows_per_second"],
    }


def round_ratios(full: dict[str, Any], build: dict[str, Any]) -> list[float | None]:
    """Each round's `build` (incremental, or with nothing new) over the same round's full build, a minute or two apart
    on the machine."""
    return [
        _ratio(build_seconds, full_seconds)
        for full_seconds, build_seconds in zip(full["runs_seconds"], build["runs_seconds"], strict=True)
    ]


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return round(numerator / denominator, 3)


def targets(measured: dict[str, float | None]) -> dict[str, dict[str, Any]]:
    out = {}
    for name, (op, limit, what) in TARGETS.items():
        value = measured.get(name)
        met = value is not None and (value <= limit if op == "<=" else value >= limit)
        status = "N/A" if value is None else ("MET" if met else "MISSED")
        out[name] = {"value": value, "target": f"{op} {limit:g}", "status": status, "what": what}
    return out


def file_size(db: Path) -> int:
    wal = db.with_name(db.name + ".wal")
    return db.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def write_report(report: dict[str, Any], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(out, (json.dumps(report, indent=2, default=str) + "\n").encode())


def phase_rows(report: dict[str, Any]) -> list[tuple[str, float, float | None, str]]:
    """(phase, seconds, peak RSS in GB or None, note) for each phase the report holds: the rows of both the printed
    table and the README's."""

    def models_and_tests(build: dict[str, Any]) -> str:
        return f"models {build.get('models_seconds', 0):.1f} s, tests {build.get('tests_seconds', 0):.1f} s"

    def loaded(load: dict[str, Any]) -> str:
        return f"{load.get('rows', 0):,} rows, {load.get('rows_per_second') or 0:,} rows/s"

    def over_full_builds(full: dict[str, Any], build: dict[str, Any]) -> str:
        if len(build.get("runs_seconds", [])) < 2:
            return ""
        shown = ", ".join(_shown(ratio, 3) for ratio in round_ratios(full, build))
        return f"; each over its round's full build: {shown}"

    def runs(part: dict[str, Any]) -> str:
        times = part.get("runs_seconds", [])
        return f"; median of {len(times)} runs: {_seconds_list(times)}" if len(times) > 1 else ""

    full, floor, incremental, no_op = (
        report.get("dbt_full_build", {}),
        report.get("floor", {}),
        report.get("dbt_incremental_build", {}),
        report.get("dbt_no_op_build", {}),
    )
    new, revision, published = (
        report.get("new_month_load", {}),
        report.get("revision_load", {}),
        report.get("publish", {}),
    )
    fact = floor.get("fact", {})
    phases = [
        ("generate (not counted)", report.get("generate"), ""),
        ("raw load", report.get("raw_load"), f"{report.get('raw_load', {}).get('rows_per_second') or 0:,} rows/s"),
        ("dbt parse", report.get("dbt_parse"), ""),
        (
            "dbt build --full-refresh (first, not in ratios)",
            report.get("dbt_first_build"),
            models_and_tests(report.get("dbt_first_build", {})),
        ),
        (
            "dbt build --full-refresh",
            full,
            f"{models_and_tests(full)}, overhead {full.get('overhead_seconds', 0):.1f} s{runs(full)}",
        ),
        (
            "floor (bench/floor.sql)",
            floor,
            ("equal to the marts" if floor.get("all_equal") else "NOT equal to the marts") + runs(floor),
        ),
        (
            "the fact alone, no dbt (bench/floor_fact.sql)",
            fact,
            fact_note(fact),
        ),
        (f"load {new.get('month', '')} via loader", new, loaded(new) + runs(new)),
        (
            "dbt build (incremental, +1 month)",
            incremental,
            models_and_tests(incremental) + runs(incremental) + over_full_builds(full, incremental),
        ),
        ("dbt build (nothing new)", no_op, models_and_tests(no_op) + runs(no_op) + over_full_builds(full, no_op)),
        (
            f"reload {revision.get('first_month', '')}..{revision.get('last_month', '')} via loader (revisions)",
            revision,
            loaded(revision),
        ),
        (
            f"dbt build (incremental, revisions of {revision.get('months', 0)} months)",
            report.get("dbt_revision_build"),
            models_and_tests(report.get("dbt_revision_build", {})),
        ),
        (
            "aitrade publish (serving copy + parquet)",
            published,
            f"{published.get('rows', 0):,} rows of {published.get('marts', 0)} marts",
        ),
    ]
    rows = []
    for name, part, note in phases:
        if part:
            rows.append((name, part.get("wall_seconds", part.get("seconds", 0)), part.get("peak_rss_gb"), note))
    return rows


def fact_note(fact: dict[str, Any]) -> str:
    """The note of the fact's row: how its copy compares with the mart, and its runs."""
    check = fact.get("check", {})
    if check.get("status") == "skipped":
        compared = f"not checked: {check.get('reason')}"
    elif check.get("status") == "equal":
        compared = f"{check.get('floor_rows', 0):,} rows, equal to {FACT_MART}"
    elif check.get("differing_types"):
        compared = f"NOT equal to {FACT_MART}: columns missing or of another type: {check['differing_types']}"
    else:
        compared = f"NOT equal to {FACT_MART}: {check.get('differing_columns') or 'row count or rows'}"
    times = fact.get("runs_seconds", [])
    runs = f"; runs: {_seconds_list(times)} (the floor's median run shown)" if len(times) > 1 else ""
    return f"{compared}; not part of the floor{runs}"


def warehouse_sizes(report: dict[str, Any]) -> list[tuple[str, int]]:
    """(row, bytes) of the warehouse file sizes the report holds: the rows of both tables."""
    sizes = [
        ("warehouse file after the first build", report.get("warehouse_bytes_after_first_build")),
        ("warehouse file after the last round", report.get("warehouse_bytes")),
    ]
    return [(name, size) for name, size in sizes if size is not None]


def _seconds_list(times: list[float]) -> str:
    return f"{', '.join(f'{t:.1f}' for t in times)} s"


def _shown(value: float | None, digits: int) -> str:
    return "n/a" if value is None else (f"{value:,.0f}" if value >= 1000 else f"{value:.{digits}f}")


def format_table(report: dict[str, Any]) -> str:
    """The printed summary."""
    config, rows, machine_info = report.get("config", {}), report.get("rows", {}), report.get("machine", {})
    lines = [
        f"bench: scale {config.get('scale')}, {config.get('first_month')}..{config.get('last_month')} "
        f"({config.get('months')} months), {rows.get('total', 0):,} raw rows "
        f"(imports {rows.get('imports', 0):,}, exports {rows.get('exports', 0):,}); "
        f"{machine_info.get('cpus')} cpus, {machine_info.get('memory_gb')} GB",
        f"{'phase':<52}{'seconds':>10}{'peak RSS GB':>13}  note",
    ]
    for name, seconds, rss, note in phase_rows(report):
        lines.append(f"{name:<52}{seconds:>10.1f}{'' if rss is None else f'{rss:.2f}':>13}  {note}")
    for name, size in warehouse_sizes(report):
        lines.append(f"{name:<52}{size / GB:>10.2f} GB")
    if report.get("targets"):
        lines.append("")
        lines.append(f"{'target':<30}{'value':>14}{'goal':>14}  status")
        for name, target in report["targets"].items():
            lines.append(f"{name:<30}{_shown(target['value'], 3):>14}{target['target']:>14}  {target['status']}")
    if report.get("error"):
        lines.append(f"\nERROR (harness broke): {report['error']}")
    failures = {k: v for k, v in report.get("dbt_full_build", {}).get("failures", {}).items() if v}
    if failures:
        lines.append(f"\nWARNING: dbt test failures in the full build: {failures}")
    return "\n".join(lines)


def format_markdown(report: dict[str, Any]) -> str:
    """The report as the README's Performance tables."""
    config, rows, machine_info = report.get("config", {}), report.get("rows", {}), report.get("machine", {})
    lines = [
        f"Scale {config.get('scale')} ({config.get('first_month')}..{config.get('last_month')}, "
        f"{rows.get('total', 0):,} raw rows: imports {rows.get('imports', 0):,}, exports {rows.get('exports', 0):,}),",
        # one paragraph in two source lines, within the README's 120-character wrap
        f"{machine_info.get('cpus')} CPUs, {machine_info.get('memory_gb')} GB RAM, load average at start "
        f"{machine_info.get('load_average_at_start')}, {report.get('date', '')[:16]} UTC.",
        "",
        "| Phase | Seconds | Peak RSS (GB) | Note |",
        "|---|---:|---:|---|",
    ]
    for name, seconds, rss, note in phase_rows(report):
        lines.append(f"| {name} | {seconds:.1f} | {'' if rss is None else f'{rss:.2f}'} | {note} |")
    lines += [f"| {name} | | | {size / GB:.2f} GB |" for name, size in warehouse_sizes(report)]
    lines += [
        "",
        "| Target | Value | Goal | Status |",
        "|---|---:|---:|---|",
    ]
    for target in report.get("targets", {}).values():
        lines.append(f"| {target['what']} | {_shown(target['value'], 3)} | {target['target']} | {target['status']} |")
    return "\n".join(lines)
