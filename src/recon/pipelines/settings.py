"""The environment, chosen in one place: paths, district, thresholds, Prefect quietening."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

DEFAULT_DISTRICT = "330114"  # Hangzhou Qiantang
DEFAULT_DB = Path("data/out/recon.duckdb")


def quiet_prefect() -> None:
    """Offline defaults: no telemetry tracebacks, our loggers captured in flow logs."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "recon")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")


@dataclass(frozen=True)
class NightlyConfig:
    """Everything one nightly run needs to know."""

    input_dir: Path
    db_path: Path
    as_of: date
    district: str = DEFAULT_DISTRICT
    docs_dir: Path | None = None  # Data Docs; default: <db folder>/docs
    ops_url: str | None = None  # operational store; default: SQLite beside the DuckDB file

    def __post_init__(self) -> None:
        if not (len(self.district) == 6 and self.district.isdigit()):
            raise ValueError(
                f"--district must be a 6-digit county code such as 330114 (Hangzhou Qiantang); got {self.district!r}"
            )
        if not self.input_dir.is_dir():
            raise FileNotFoundError(
                f"input folder {self.input_dir} does not exist; point --input at the drop folder that holds "
                "standard_address/, police_registry/, ... (see CONTRACT.md section 1)"
            )

    @property
    def ops(self) -> str:
        return self.ops_url or f"sqlite:///{(self.db_path.parent / 'ops.sqlite').resolve()}"

    @property
    def docs(self) -> Path:
        return (self.docs_dir or self.db_path.parent / "docs").resolve()
