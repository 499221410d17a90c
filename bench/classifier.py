"""Benchmark of `aitrade labels classify` (issue 4) against the fake OpenAI-compatible server.

Classifies 19,424 generated codes (the size of the study's import universe) with 1 s latency per request at the
default settings and reports: wall time (target < 3 min), requests sent (target <= codes / 20) and prompt
characters per code against the one-code-per-request baseline (target <= 1/5). Exit status 1 when a target is
missed. `--sweep` prints, without sending anything, how prompt characters per code and expected output per
request move with the batch size (the measurement behind the default batch size).

    .venv/bin/python bench/classifier.py [--codes 19424] [--latency 1.0] [--json out.json] [--sweep]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests" / "python")]

from fake_openai import FakeOpenAI  # noqa: E402

from ingestion import warehouse  # noqa: E402
from ingestion.classifier import (  # noqa: E402
    DEFAULT_BATCH_SIZE,
    DEFAULT_CONCURRENCY,
    ClassifierSettings,
    run_classification,
)
from ingestion.classifier_prompt import (  # noqa: E402
    EST_COMPLETION_TOKENS_PER_CODE,
    CodeItem,
    load_prompt,
    request_chars,
)

_WORDS = (
    "OF STEEL",
    "NESOI",
    "ELECTRIC",
    "FOR ADP MACHINES",
    "PARTS",
    "WITH A CAPACITY EXCEEDING 10 KW",
    "OF COTTON",
    "KNITTED OR CROCHETED",
    "FRESH OR CHILLED",
    "INSULATED",
    "VALVES",
    "PUMPS FOR LIQUIDS",
    "TRANSFORMERS",
    "OTHER THAN FOR RETAIL SALE",
    "CONTAINING BY WEIGHT 50 PERCENT OR MORE",
    "MACHINES AND APPARATUS",
)


def generated_codes(n: int, seed: int = 35053) -> list[CodeItem]:
    """n distinct 10-digit codes over chapters 01-97 with descriptions of realistic length (~40-150 chars)."""
    rng = random.Random(seed)
    codes: set[str] = set()
    while len(codes) < n:
        codes.add(f"{rng.randint(1, 97):02d}{rng.randint(0, 99_999_999):08d}")
    items = []
    for code in sorted(codes):
        words = rng.sample(_WORDS, rng.randint(2, 7))
        naics = f"{rng.randint(111_110, 339_999)}" if rng.random() < 0.95 else None
        items.append(CodeItem(code, ", ".join(words)[:150], naics))
    return items


def sweep(items: list[CodeItem]) -> list[dict]:
    prompt = load_prompt()
    sample = items[:2000]
    rows = []
    for size in (1, 5, 10, 15, 20, 25, 30, 40, 50, 100):
        chars = sum(request_chars(prompt, sample[i : i + size]) for i in range(0, len(sample), size))
        rows.append(
            {
                "batch_size": size,
                "prompt_chars_per_code": round(chars / len(sample), 1),
                "requests_for_19424": -(-19424 // size),
                "output_tokens_per_request": size * EST_COMPLETION_TOKENS_PER_CODE,
            }
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--codes", type=int, default=19424)
    parser.add_argument("--latency", type=float, default=1.0, help="seconds per request at the fake server")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--sweep", action="store_true", help="print the batch-size measurement and exit")
    args = parser.parse_args()
    items = generated_codes(args.codes)
    if args.sweep:
        print(f"{'batch':>6} {'prompt chars/code':>18} {'requests (19,424)':>18} {'output tokens/request':>22}")
        for row in sweep(items):
            print(
                f"{row['batch_size']:>6} {row['prompt_chars_per_code']:>18,.0f} {row['requests_for_19424']:>18,}"
                f" {row['output_tokens_per_request']:>22,}"
            )
        return 0

    prompt = load_prompt()
    baseline = sum(request_chars(prompt, [item]) for item in items) / len(items)
    with tempfile.TemporaryDirectory() as tmp, FakeOpenAI(latency=args.latency) as server:
        con = warehouse.connect(Path(tmp) / "bench.duckdb")
        settings = ClassifierSettings(
            flow="imports",
            model="fake-model",
            base_url=server.base_url,
            api_key=None,
        )
        started = time.perf_counter()
        summary = run_classification(con, items, settings, progress=True)
        wall = time.perf_counter() - started
        stored = con.execute("select count(*) from raw.hs10_labels").fetchone()[0]
        started = time.perf_counter()
        rerun = run_classification(con, items, settings, progress=False, echo=lambda _: None)
        rerun_wall = time.perf_counter() - started
        con.close()
        requests = server.requests
    out = summary.outcome
    per_code = out.prompt_chars / len(items)
    result = {
        "codes": len(items),
        "latency_s": args.latency,
        "batch_size": DEFAULT_BATCH_SIZE,
        "concurrency": DEFAULT_CONCURRENCY,
        "wall_s": round(wall, 1),
        "requests": requests,
        "labels_stored": stored,
        "failures": len(out.failures),
        "prompt_chars_per_code": round(per_code, 1),
        "baseline_prompt_chars_per_code": round(baseline, 1),
        "prompt_chars_ratio": round(per_code / baseline, 4),
        "prompt_tokens": out.prompt_tokens,
        "completion_tokens": out.completion_tokens,
        "rerun_requests": rerun.outcome.requests,
        "rerun_wall_s": round(rerun_wall, 2),
    }
    checks = {
        "wall time < 180 s": wall < 180,
        f"requests <= codes/20 ({len(items) // 20})": requests <= len(items) / 20,
        "prompt chars per code <= 1/5 of baseline": per_code <= baseline / 5,
        "every code stored": stored == len(items),
        "rerun sends zero requests": rerun.outcome.requests == 0,
    }
    print(json.dumps(result, indent=2))
    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    if args.json:
        args.json.write_text(json.dumps({**result, "checks": checks}, indent=2))
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
