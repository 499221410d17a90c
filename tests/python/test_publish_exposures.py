"""The exposures (the study's figures and the BI dashboard) point at marts that exist, and every mart has one."""

from __future__ import annotations

import re

import yaml

from ingestion.paths import REPO_ROOT

EXPOSURES = REPO_ROOT / "models" / "marts" / "_exposures.yml"
REF = re.compile(r"^ref\('([a-z0-9_]+)'\)$")


def _exposures() -> list[dict]:
    return yaml.safe_load(EXPOSURES.read_text())["exposures"]


def _models() -> dict[str, str]:
    """Model name -> its folder under models/ (SQL and Python models)."""
    found = {}
    for path in [*REPO_ROOT.joinpath("models").rglob("*.sql"), *REPO_ROOT.joinpath("models").rglob("*.py")]:
        found[path.stem] = path.parent.relative_to(REPO_ROOT / "models").parts[0]
    return found


def _refs(exposure: dict) -> list[str]:
    refs = []
    for item in exposure["depends_on"]:
        match = REF.match(item)
        assert match, f"{exposure['name']}: depends_on entry {item!r} is not ref('<model>')"
        refs.append(match.group(1))
    return refs


def test_every_exposure_depends_only_on_existing_marts() -> None:
    models = _models()
    for exposure in _exposures():
        refs = _refs(exposure)
        assert refs, f"{exposure['name']} has no dependencies"
        missing = [name for name in refs if name not in models]
        assert not missing, f"{exposure['name']} depends on missing model(s) {missing}: `dbt parse` would fail"
        not_marts = [name for name in refs if models[name] != "marts"]
        assert not not_marts, f"{exposure['name']} depends on non-mart model(s) {not_marts}: BI reads marts only"
        assert len(refs) == len(set(refs)), f"{exposure['name']} lists a model twice"


def test_exposures_are_complete_and_the_dashboard_covers_every_mart() -> None:
    exposures = {exposure["name"]: exposure for exposure in _exposures()}
    for exposure in exposures.values():
        assert exposure["type"] in {"dashboard", "notebook", "analysis", "ml", "application"}
        assert exposure["owner"].get("name") and exposure["owner"].get("email")
        assert len(exposure["description"].split()) >= 15, f"{exposure['name']} needs a real description"
    dashboards = [e for e in exposures.values() if e["type"] == "dashboard"]
    assert [d["name"] for d in dashboards] == ["ai_trade_dashboard"]
    marts = sorted(name for name, folder in _models().items() if folder == "marts")
    uncovered = sorted(set(marts) - set(_refs(dashboards[0])))
    assert not uncovered, f"mart(s) {uncovered} missing from exposure ai_trade_dashboard in {EXPOSURES.name}"
    figures = {name for name in exposures if name != "ai_trade_dashboard"}
    assert {"fig_ai_trade_index", "fig_ai_trade_share", "table_trade_by_relevance_and_category"} <= figures
