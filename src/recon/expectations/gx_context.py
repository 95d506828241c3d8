"""Great Expectations contexts that never leave the machine.

GX is imported lazily (its import costs ~4 s), so building suite declarations or reading
result rows does not pay for it; only validating and rendering do. Every context made here
is an in-memory (ephemeral) one with analytics disabled, progress bars off and no Data Docs
site unless one is asked for: a nightly run must work on a host without network access.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import ModuleType
from typing import Any

# GX reads this when a context leaves `analytics_enabled` unset; we also set it in the config.
os.environ["GX_ANALYTICS_ENABLED"] = "False"

DOCS_SITE = "recon"  # name of the filesystem Data Docs site in our contexts
DATASOURCE = "recon"  # the one pandas datasource every validation goes through


def gx() -> ModuleType:
    """The `great_expectations` module, imported on first use with analytics switched off."""
    os.environ["GX_ANALYTICS_ENABLED"] = "False"
    import great_expectations
    from great_expectations.execution_engine import pandas_execution_engine

    # GX fingerprints every pandas batch below 1 GB of *shallow* memory (i.e. nearly every one)
    # by hashing all its cells: a `batch_markers` entry nothing of ours reads, costing a third of
    # the validation time of a million-row feed. Threshold 0 turns the fingerprint off.
    pandas_execution_engine.HASH_THRESHOLD = 0
    return great_expectations


def offline_context(docs_dir: Path | None = None) -> Any:
    """A new ephemeral GX context: in-memory stores, no analytics, optional filesystem docs site."""
    gx()
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    sites: dict[str, Any] = {}
    if docs_dir is not None:
        sites[DOCS_SITE] = {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder", "show_cta_footer": False},
        }
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
        data_docs_sites=sites,
    )
    context = gx().get_context(project_config=config, mode="ephemeral")
    if context.config.analytics_enabled:  # pragma: no cover - a GX change would be caught here
        raise RuntimeError("Great Expectations analytics could not be disabled; refusing to run offline work")
    return context
