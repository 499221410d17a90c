"""The classifier against a real HTTP fake of an OpenAI-compatible endpoint (127.0.0.1)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import duckdb
import pytest
from fake_openai import INVENTED_CODE, FakeOpenAI, fake_label

from ingestion import classifier_cache as cache
from ingestion import warehouse
from ingestion.classifier import (
    Classifier,
    ClassifierSettings,
    estimate_cost,
    model_price,
    run_classification,
)
from ingestion.classifier_prompt import CodeItem, load_prompt, parse_answer
from ingestion.errors import UserError
from ingestion.retry import RetryPolicy

SOURCE = f"classifier:fake-model:{load_prompt().version}"


def items(n: int, start: int = 8471000000) -> list[CodeItem]:
    return [CodeItem(f"{start + i:010d}", f"PRODUCT {start + i}") for i in range(n)]


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def settings(server: FakeOpenAI, sleeps: Sleeps | None = None, **kw: object) -> ClassifierSettings:
    base = {
        "flow": "imports",
        "model": "fake-model",
        "base_url": server.base_url,
        "api_key": "sk-test",
        "batch_size": 10,
        "concurrency": 1,
        "timeout": 5.0,
        "retry": RetryPolicy(max_retries=2, base_delay=0.01, max_delay=0.05),
        "sleep": sleeps if sleeps is not None else Sleeps(),
    }
    base.update(kw)
    return ClassifierSettings(**base)


@pytest.fixture
def server():
    with FakeOpenAI() as fake:
        yield fake


@pytest.fixture
def con(tmp_path: Path):
    connection = warehouse.connect(tmp_path / "w.duckdb")
    yield connection
    connection.close()


def labels(con: duckdb.DuckDBPyConnection) -> dict[str, tuple]:
    rows = con.execute(
        "select hs10, relevance, primary_category, confidence, specific_use, model, prompt_version "
        "from raw.hs10_labels where label_source = ?",
        [SOURCE],
    ).fetchall()
    return {r[0]: r[1:] for r in rows}


def expected(code: str) -> tuple:
    answer = fake_label(code)
    return (
        answer["relevance"],
        answer["primary_category"],
        answer["confidence"],
        answer["specific_use"],
        "fake-model",
        load_prompt().version,
    )


def run(con, server, codes, **kw):
    return run_classification(con, codes, settings(server, **kw), progress=False, echo=lambda _: None)


def test_batches_map_answers_back_by_code_not_position(con, server):
    codes = items(23) + items(7, start=7308000000)
    server.script.extend(["reversed"] * 3)
    summary = run(con, server, codes)
    assert server.requests == math.ceil(30 / 10) == summary.outcome.requests
    assert [len(c) for c in server.codes_seen] == [10, 10, 10]
    stored = labels(con)
    assert stored == {c.hs10: expected(c.hs10) for c in codes}
    assert stored["7308000001"][0] == "Medium" and stored["8471000001"][0] == "High"
    row = con.execute(
        "select label_source, model, prompt_version, classified_at is not null from raw.hs10_labels limit 1"
    ).fetchone()
    assert row == (SOURCE, "fake-model", load_prompt().version, True)


@pytest.mark.parametrize("mode", ["drop", "duplicate"])
def test_missing_or_duplicated_code_is_retried_alone(con, server, mode):
    codes = items(10)
    server.script.append(mode)
    summary = run(con, server, codes)
    assert server.codes_seen == [[c.hs10 for c in codes], [codes[0].hs10]]
    assert summary.outcome.retried_alone == 1
    assert labels(con) == {c.hs10: expected(c.hs10) for c in codes}


def test_invented_code_is_ignored(con, server):
    codes = items(10)
    server.script.append("invent")
    summary = run(con, server, codes)
    assert server.requests == 1
    assert summary.outcome.invented == 1
    assert INVENTED_CODE not in labels(con)
    assert len(labels(con)) == 10


@pytest.mark.parametrize("mode", ["invalid_enum", "missing_field"])
def test_one_bad_entry_is_retried_alone_and_then_stored(con, server, mode):
    codes = items(10)
    server.script.append(mode)
    run(con, server, codes)
    assert server.codes_seen[1] == [codes[0].hs10]
    assert labels(con)[codes[0].hs10] == expected(codes[0].hs10)


@pytest.mark.parametrize(("mode", "reason"), [("invalid_enum", "relevance"), ("missing_field", "reasoning")])
def test_persistently_bad_code_is_recorded_as_failure_never_stored(con, server, mode, reason):
    codes = items(10)
    bad = codes[3].hs10
    server.bad_codes[bad] = mode
    summary = run(con, server, codes)
    # batch, then the bad code alone three times (two retries)
    assert server.requests == 1 + 3
    assert bad not in labels(con) and len(labels(con)) == 9
    failures = con.execute("select hs10, reason from raw.label_failures").fetchall()
    assert len(failures) == 1 and failures[0][0] == bad
    assert reason in failures[0][1] and "after 3 attempts" in failures[0][1]
    assert [item.hs10 for item, _ in summary.outcome.failures] == [bad]


def test_malformed_json_is_retried(con, server):
    codes = items(10)
    server.script.extend(["malformed", "wrong_shape"])
    run(con, server, codes)
    assert server.requests == 3
    assert len(labels(con)) == 10


def test_always_malformed_batch_falls_back_to_single_codes_then_fails(con, server):
    codes = items(3)
    server.script.extend(["malformed"] * 100)
    summary = run(con, server, codes)
    assert server.requests == 3 + 3 * 3
    assert labels(con) == {}
    reasons = [r[0] for r in con.execute("select reason from raw.label_failures").fetchall()]
    assert len(reasons) == 3 and all("malformed JSON" in r for r in reasons)
    assert len(summary.outcome.failures) == 3


def test_rate_limit_honours_retry_after_and_server_errors_back_off(con, server):
    sleeps = Sleeps()
    server.script.extend(["429", "500"])
    run(con, server, items(10), sleeps=sleeps)
    assert server.requests == 3
    assert sleeps[0] == 0.0  # Retry-After: 0
    assert 0.02 <= sleeps[1] <= 0.025  # the second retry: base_delay * 2 ** 1, plus up to 25% jitter
    assert len(labels(con)) == 10


def test_a_reply_that_is_not_json_is_retried_then_recorded(con, server):
    """An HTTP 200 whose body is not the API's JSON (a proxy's error page) is retried like a 5xx: it had aborted the
    whole run on the first one."""
    server.script.extend(["html"])
    run(con, server, items(3), sleeps=Sleeps())
    assert server.requests == 2 and len(labels(con)) == 3
    server.script.extend(["html"] * 100)
    summary = run(con, server, items(6)[3:], sleeps=Sleeps())
    assert len(summary.outcome.failures) == 3
    assert {r[0] for r in con.execute("select reason from raw.label_failures").fetchall()} == {
        "a reply that is not the API's JSON (after 3 attempts)"
    }


def test_the_published_label_answers_the_current_description(con, server):
    """Answers are cached by the code's context: with description A, then B, then A again, the third run is answered
    by the cache and publishes the answer to A, not the newer one to B (a warehouse with that history had differed
    from a clean run's)."""
    for description in ("PRODUCT A", "PRODUCT B", "PRODUCT A"):
        run(con, server, [CodeItem("8471500150", description)])
    assert server.requests == 2
    published = con.execute("select description from raw.hs10_labels where label_source = ?", [SOURCE]).fetchall()
    assert published == [("PRODUCT A",)]
    run(con, server, [CodeItem("8542310001", "PRODUCT C")])  # a run over another code keeps the first one's label
    published = con.execute(
        "select hs10, description from raw.hs10_labels where label_source = ? order by 1", [SOURCE]
    ).fetchall()
    assert published == [("8471500150", "PRODUCT A"), ("8542310001", "PRODUCT C")]


def test_persistent_server_errors_are_bounded_and_recorded(con, server):
    sleeps = Sleeps()
    server.script.extend(["500"] * 100)
    summary = run(con, server, items(4), sleeps=sleeps)
    assert server.requests == 3  # two retries, then the batch is recorded as failed
    assert len(sleeps) == 2 and all(s <= 0.05 for s in sleeps)
    assert len(summary.outcome.failures) == 4
    assert {r[0] for r in con.execute("select reason from raw.label_failures").fetchall()} == {
        "HTTP 500 (after 3 attempts)"
    }


def test_timeout_is_retried():
    with FakeOpenAI(slow_s=1.5) as server:
        server.script.append("slow")
        classifier = Classifier(settings(server, timeout=0.3))
        outcome = classifier.classify(items(2))
        assert len(outcome.answers) == 2 and outcome.requests == 2


def test_rejected_key_stops_with_a_clear_error_without_the_key(con, server):
    server.script.append("401")
    with pytest.raises(UserError) as error:
        run(con, server, items(2), api_key="sk-very-secret-key")
    assert "HTTP 401" in str(error.value) and "OPENAI_API_KEY" in str(error.value)
    assert "sk-very-secret-key" not in str(error.value)


def test_cache_second_run_sends_zero_requests(con, server):
    codes = items(25)
    run(con, server, codes)
    first = server.requests
    summary = run(con, server, codes)
    assert server.requests == first
    assert summary.cache_hits == 25 and summary.to_send == 0
    assert len(labels(con)) == 25
    assert con.execute("select count(*), count(distinct hs10) from raw.label_cache").fetchone() == (25, 25)


def test_cache_reclassifies_only_changed_descriptions_and_new_models(con, server):
    codes = items(12)
    run(con, server, codes)
    first = server.requests
    changed = [*codes[:-1], CodeItem(codes[-1].hs10, "A NEW DESCRIPTION")]
    run(con, server, changed)
    assert server.codes_seen[first:] == [[codes[-1].hs10]]
    assert con.execute("select description from raw.hs10_labels where hs10 = ?", [codes[-1].hs10]).fetchone() == (
        "A NEW DESCRIPTION",
    )
    assert len(labels(con)) == 12
    run(con, server, changed, model="other-model")
    assert server.requests == first + 1 + 2
    sources = dict(con.execute("select label_source, count(*) from raw.hs10_labels group by 1").fetchall())
    assert sources == {SOURCE: 12, f"classifier:other-model:{load_prompt().version}": 12}


def test_changed_prompt_without_new_version_is_refused(con, server, tmp_path):
    run(con, server, items(2))
    text = Path("ingestion/prompts/hs10_relevance.md").read_text()
    edited = tmp_path / "prompt.md"
    edited.write_text(text.replace("Copper wire", "Copper rod"))
    prompt = load_prompt.__wrapped__(edited)
    with pytest.raises(UserError, match="Bump the version"):
        run_classification(con, items(2), settings(server), progress=False, echo=lambda _: None, prompt=prompt)


def test_dry_run_prints_requests_and_tokens_and_sends_nothing(con, server):
    printed: list[str] = []
    summary = run_classification(con, items(95), settings(server), dry_run=True, progress=False, echo=printed.append)
    assert server.requests == 0
    assert summary.to_send == 95
    assert "10 requests" in printed[0] and "prompt" in printed[0] and "completion tokens" in printed[0]
    assert con.execute("select count(*) from raw.hs10_labels").fetchone() == (0,)


def test_prompt_is_the_studys_with_context_and_versioned():
    prompt = load_prompt()
    system = prompt.system_message()
    for text in (
        "You are an expert in AI data center construction, operations, and supply chains.",
        "- COOLING: Chillers, cooling towers, CRAH units, fans, pumps, refrigerants, glycol",
        "- SPECIALTY MATERIALS: Rare earths, copper, aluminum, tantalum, thermal interface materials",
        '"Diesel engines" could be for generators (relevant) or vehicles (not relevant)',
        "Food, textiles, furniture, and consumer goods are generally NOT relevant",
        "High = directly used in data centers, Medium = sometimes used or indirect input, Low = not relevant",
        "Maintenance_Operations",
    ):
        assert text in system
    user = prompt.user_message([CodeItem("0101210010", "HORSES", "112920")])
    assert "HS10 Code: 0101210010\nHS Description: HORSES\nNAICS Code: 112920" in user
    assert prompt.version and len(prompt.sha256) == 64


def test_parse_answer_validates_every_field():
    good = fake_label("8471000000")
    entries, rejected = parse_answer(json.dumps({"classifications": [good]}))
    assert [e.hs10_code for e in entries] == ["8471000000"] and rejected == []
    bad = dict(good, confidence=101)
    entries, rejected = parse_answer(json.dumps({"classifications": [bad]}))
    assert entries == [] and rejected[0][0] == "8471000000" and "confidence" in rejected[0][1]


def test_prices_and_cost():
    assert model_price("gpt-4.1-mini-2025-04-14") == (0.40, 1.60)
    assert model_price("no-such-model") is None
    assert estimate_cost("gpt-4.1-mini", 1_000_000, 1_000_000) == pytest.approx(2.0)
    assert estimate_cost("no-such-model", 1, 1) is None


def test_model_that_rejects_temperature_gets_its_default(con, server):
    server.reject_temperature = True
    run(con, server, items(12))
    assert server.requests == 1 + 2  # the rejected request, then two batches without temperature
    assert "temperature" in server.bodies[0] and "temperature" not in server.bodies[-1]
    assert len(labels(con)) == 12


def test_dropping_the_temperature_does_not_use_up_a_retry(server):
    """The resend without temperature is not a failed attempt: two server errors after it still leave the third
    attempt (max_retries=2) to succeed."""
    server.reject_temperature = True
    server.script.extend(["500", "500"])
    outcome = Classifier(settings(server)).classify(items(2))
    assert server.requests == 1 + 3
    assert len(outcome.answers) == 2 and outcome.failures == []


def test_a_run_left_running_is_closed_as_abandoned_with_what_it_committed(con) -> None:
    """kill -9 leaves a run `running`; the next run closes it with the answers and failures stored under its id."""
    cache.ensure_classifier_tables(con)
    run_row = (
        "insert into raw.label_runs (run_id, flow, model, prompt_version, label_source, batch_size, concurrency, "
        "codes, cache_hits, started_at, status) values (?, 'imports', 'm', 'v1', 's', 25, 1, 3, 0, now(), ?)"
    )
    con.execute(run_row, ["killed", "running"])
    con.execute(run_row, ["done", "finished"])
    answer_row = (
        "insert into raw.label_cache (flow, hs10, context_hash, prompt_version, model, relevance, primary_category, "
        "confidence, prompt_sha256, run_id, classified_at) values ('imports', ?, 'h', 'v1', 'm', 'High', "
        "'Compute_Hardware', 90, 'sha', ?, now())"
    )
    for hs10, run_id in (("8471000001", "killed"), ("8471000002", "killed"), ("8471000003", "done")):
        con.execute(answer_row, [hs10, run_id])
    con.execute(
        "insert into raw.label_failures values ('killed', 'imports', '8471000004', 'h', 'v1', 'm', 'timeout', now())"
    )
    assert cache.close_abandoned_runs(con) == 1
    runs = "select run_id, status, classified, failed from raw.label_runs order by run_id"
    assert con.execute(runs).fetchall() == [("done", "finished", None, None), ("killed", "abandoned", 2, 1)]
    assert cache.close_abandoned_runs(con) == 0
