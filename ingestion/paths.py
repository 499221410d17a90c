"""Where things live: the repository root and the warehouse file of the dbt profile."""

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def default_warehouse_path() -> Path:
    """The DuckDB file `profiles.yml` builds into: `AI_TRADE_DUCKDB`, else `data/warehouse.duckdb`."""
    configured = os.environ.get("AI_TRADE_DUCKDB")
    return Path(configured) if configured else REPO_ROOT / "data" / "warehouse.duckdb"


def landing_dir(db_path: Path) -> Path:
    """Immutable landed partitions (parquet) sit beside the warehouse file they were loaded into."""
    return db_path.parent / f"{db_path.stem}_landing"
