"""Shared fixtures: `demo_db`, a raw warehouse holding the full synthetic demo (built once per test session)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ingestion.demo import load_demo
from ingestion.paths import landing_dir


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo raw warehouse, built once per session (per xdist worker); do not modify it: use `demo_db`."""
    db_path = tmp_path_factory.mktemp("demo_template") / "warehouse.duckdb"
    load_demo(db_path, progress=False)
    return db_path


@pytest.fixture
def demo_db(demo_template: Path, tmp_path: Path) -> Path:
    """A private copy of the demo raw warehouse (raw.* tables only, no dbt models) in this test's tmp dir.

    The copy's `raw.load_manifest.landing_path` values still point at the session template's landed files.
    """
    target = tmp_path / "demo" / "warehouse.duckdb"
    target.parent.mkdir(parents=True)
    shutil.copy2(demo_template, target)
    wal = demo_template.with_name(demo_template.name + ".wal")
    if wal.exists():
        shutil.copy2(wal, target.with_name(target.name + ".wal"))
    if landing_dir(demo_template).exists():
        shutil.copytree(landing_dir(demo_template), landing_dir(target))
    return target
