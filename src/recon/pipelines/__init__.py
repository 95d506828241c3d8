"""pipelines stage.

Polars allocates through its own jemalloc, which by default keeps freed pages for reuse by
polars only; between the nightly run's steps that held several GB that DuckDB, numpy and Python
could not use (1M persons: 4-5 GB). A background thread now returns pages unused for a second.
The setting must be in the environment before polars is first imported, which the `recon`
command and the Prefect flows do through this package; a value already set is kept.
"""

import os

os.environ.setdefault("_RJEM_MALLOC_CONF", "background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0")
