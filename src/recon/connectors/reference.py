"""Reference tables that come with the drop folder but are not feeds.

`<input>/reference/address_aliases.csv`: former or colloquial names of streets, communities,
roads and compounds (村改居, renamed communities), kept by the standard-address authority:

    别名,标准名称,类型
    青泉社区,翠茗村,社区

类型 is one of 区县 / 街道 / 社区 / 街路巷 / 小区 (default 社区). The address resolver treats an
alias as its standard name.
"""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl

from recon.connectors.cells import clean_series
from recon.connectors.encoding import decode_table_bytes

ALIASES_FILE = Path("reference") / "address_aliases.csv"
ALIAS_KINDS = {
    "区县": "county",
    "街道": "street",
    "社区": "community",
    "村": "community",
    "街路巷": "road",
    "小区": "compound",
}
ALIAS_HEADERS = {"别名": "alias", "标准名称": "name", "类型": "kind"}


class ReferenceError(ValueError):
    """A reference file is malformed; the message names the file and how to fix it."""


def read_address_aliases(input_dir: Path) -> pl.DataFrame | None:
    """The alias table (alias, name, kind) or None when the drop folder has none."""
    path = Path(input_dir) / ALIASES_FILE
    if not path.exists():
        return None
    text = decode_table_bytes(path.read_bytes()).text
    df = pl.read_csv(io.StringIO(text), infer_schema=False)
    missing = [h for h in ("别名", "标准名称") if h not in df.columns]
    if missing:
        raise ReferenceError(
            f"{path}: missing columns {missing}; it has {df.columns}. Write the header as 别名,标准名称,类型"
        )
    if "类型" not in df.columns:
        df = df.with_columns(pl.lit("社区").alias("类型"))
    df = df.select([clean_series(df[h]).alias(e) for h, e in ALIAS_HEADERS.items()]).drop_nulls(
        ["alias", "name"]
    )
    bad = sorted(set(df["kind"].drop_nulls().to_list()) - set(ALIAS_KINDS))
    if bad:
        raise ReferenceError(f"{path}: 类型 {bad} not understood; use one of {sorted(ALIAS_KINDS)}")
    return df.with_columns(pl.col("kind").fill_null("社区").replace_strict(ALIAS_KINDS, return_dtype=pl.Utf8))
