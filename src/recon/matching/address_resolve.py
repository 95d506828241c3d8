"""Resolving a column of address texts: each distinct text once, exact hits by a join.

Addresses repeat heavily (every tenant of a building, every night's re-delivery), so the work
is: distinct texts → (join with the library's standard texts | normal form → parse → locate,
each distinct normal form once) → joined back to the input order. Normalizing and parsing are
pure Python; above `PARALLEL_MIN` distinct texts they are spread over the machine's cores with
forked workers that inherit the index.
"""

from __future__ import annotations

import contextlib
import os
import sys
import warnings
from concurrent.futures import ProcessPoolExecutor

import polars as pl

from recon.matching.address_index import AddressIndex
from recon.matching.address_locate import locate
from recon.matching.address_normalize import normalize_address
from recon.matching.address_outcome import Resolution
from recon.matching.address_parse import parse_address, parse_normalized

PARALLEL_MIN = 40_000  # distinct texts from which worker processes are started
CHUNK = 50_000  # texts per task sent to a worker
WORKER_NICENESS = 5
RESULT_SCHEMA = {
    "address_raw": pl.Utf8,
    "address_norm": pl.Utf8,
    "std_address_code": pl.Utf8,
    "status": pl.Utf8,
    "confidence": pl.Float64,
    "reason": pl.Utf8,
    "candidates": pl.List(pl.Utf8),
}
_WORKER_INDEX: AddressIndex | None = None


EXACT = Resolution(None, "exact", 1.0, "与标准地址一致")


def resolve_text(text: str | None, index: AddressIndex) -> Resolution:
    """Resolve one address text."""
    code = index.exact_text_map.get(text.strip()) if text else None
    if code:
        return Resolution(code, EXACT.status, EXACT.confidence, EXACT.reason)
    return locate(parse_address(text), index)


_COLUMNS = ("address_norm", "std_address_code", "status", "confidence", "reason", "candidates")


def _resolve_chunk(chunk: tuple[list[str], list[bool]], index: AddressIndex | None = None) -> dict[str, list]:
    """Columns for one chunk of distinct texts (`exact` ones are only normalized: the join
    already found their code). Columns, not rows, so results pickle and load quickly."""
    index = index or _WORKER_INDEX
    assert index is not None
    texts, exact = chunk
    out: dict[str, list] = {c: [] for c in _COLUMNS}
    seen: dict[str, tuple] = {}
    none: tuple = (None, None, None, None, None)
    for text, is_exact in zip(texts, exact, strict=True):
        norm = normalize_address(text)
        out["address_norm"].append(norm)
        if is_exact:
            res = none
        else:
            res = seen.get(norm)
            if res is None:
                r = locate(parse_normalized(norm), index)
                # Interned, the few distinct statuses and reasons pickle once per chunk.
                res = seen[norm] = (r.code, sys.intern(r.status), r.confidence, sys.intern(r.reason),
                                    list(r.candidates) or None)  # fmt: skip
        for col, value in zip(_COLUMNS[1:], res, strict=True):
            out[col].append(value)
    return out


def _start_methods() -> list[str]:
    import multiprocessing

    return multiprocessing.get_all_start_methods()


def _init_worker() -> None:
    """Worker initializer. The objects inherited from the parent are frozen out of the garbage
    collector (its passes would touch, and so copy, every inherited page and take time); the
    worker yields to the caller's process when both want a core."""
    import gc

    gc.freeze()
    with contextlib.suppress(OSError):  # not permitted here: run at the caller's priority
        os.nice(WORKER_NICENESS)


def _chunks(todo: pl.DataFrame) -> list[tuple[list[str], list[bool]]]:
    """(texts, is-exact flags) in CHUNK-sized parts of the sorted distinct texts."""
    return [
        (part.get_column("_text").to_list(), part.get_column("_exact").is_not_null().to_list())
        for part in todo.iter_slices(CHUNK)
    ]


def _resolve_items(todo: pl.DataFrame, index: AddressIndex, workers: int) -> list[dict[str, list]]:
    """Column dicts of `_resolve_chunk`, one per chunk in order: in this process for a small
    job, else by forked workers that inherit the index."""
    if workers <= 1 or todo.height < PARALLEL_MIN or "fork" not in _start_methods():
        return [_resolve_chunk(c, index) for c in _chunks(todo)]
    global _WORKER_INDEX
    _WORKER_INDEX = index  # inherited by the forked workers
    import multiprocessing

    try:
        with warnings.catch_warnings():
            # The workers never call polars; the fork warning is about children that do.
            warnings.simplefilter("ignore", RuntimeWarning)
            ctx = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker) as pool:
                return list(pool.map(_resolve_chunk, _chunks(todo)))
    finally:
        _WORKER_INDEX = None  # the caller's index may be freed once the workers are gone


def resolve_addresses(texts: pl.Series, index: AddressIndex, workers: int | None = None) -> pl.DataFrame:
    """One row per input text, same order: code (null unless a dwelling), status, confidence,
    reason (Chinese, for officers) and candidate codes of partial or ambiguous answers.

    Each distinct text is handled once: texts equal to a library standard text are found by a
    join; the others are normalized, parsed and located (each distinct normal form once in a
    chunk), spread over `workers` processes (default: up to 2) when there are many, in chunks
    of CHUNK sorted texts (neighbours share names, so each worker's caches stay warm). The
    answer for a text depends on the text and the index only, so chunking never changes it.
    """
    workers = workers if workers is not None else min(2, os.cpu_count() or 1)
    frame = (
        texts.cast(pl.Utf8)
        .rename("address_raw")
        .to_frame()
        .with_columns(_text=pl.col("address_raw").str.strip_chars())
    )
    exact = index.exact_text.rename({"text": "_text", "code": "_exact"})
    todo = frame.select(pl.col("_text").unique().drop_nulls().sort()).join(exact, on="_text", how="left")
    schema = {k: v for k, v in RESULT_SCHEMA.items() if k != "address_raw"}
    parts = _resolve_items(todo, index, workers)
    cols = {c: [v for part in parts for v in part[c]] for c in _COLUMNS}
    is_exact = pl.col("_exact").is_not_null()
    solved = todo.with_columns(pl.DataFrame(cols, schema=schema)).select(
        "_text",
        "address_norm",
        std_address_code=pl.coalesce("_exact", "std_address_code"),
        status=pl.when(is_exact).then(pl.lit(EXACT.status)).otherwise("status"),
        confidence=pl.when(is_exact).then(EXACT.confidence).otherwise("confidence"),
        reason=pl.when(is_exact).then(pl.lit(EXACT.reason)).otherwise("reason"),
        candidates=pl.col("candidates"),
    )
    empty = locate(parse_address(""), index)
    return (
        frame.join(solved, on="_text", how="left", maintain_order="left")
        .with_columns(
            address_norm=pl.col("address_norm").fill_null(""),
            status=pl.col("status").fill_null(empty.status),
            confidence=pl.col("confidence").fill_null(empty.confidence),
            reason=pl.col("reason").fill_null(empty.reason),
            candidates=pl.col("candidates").fill_null([]),
        )
        .select(list(RESULT_SCHEMA))
    )


def explain_address(text: str, index: AddressIndex) -> str:
    """Human-readable parse, resolution and candidates of one text (for `recon address`)."""
    parts = parse_address(text)
    res = locate(parts, index)
    lines = [f"原文：{text}", f"规范化：{parts.norm}", "解析："]
    names = {
        "province": "省", "city": "市", "district": "区县", "street": "街道", "community": "社区/村",
        "group": "组", "road": "街路巷", "door": "门牌号", "compound": "小区", "building": "楼栋",
        "unit": "单元", "floor": "楼层", "room": "户室", "rest": "未识别",
    }  # fmt: skip
    for k, v in parts.components().items():
        if v:
            lines.append(f"  {names[k]}（{k}）：{v}")
    lines.append("过程：")
    lines.extend(f"  {t}" for t in res.trace)
    lines.append(f"结果：{res.status}  置信度 {res.confidence:.3f}")
    lines.append(f"  编码：{res.code or '（无）'}")
    lines.append(f"  原因：{res.reason}")
    if res.code:
        lines.append(f"  标准地址：{describe_code(res.code, index)}")
    if res.candidates:
        lines.append("候选：")
        lines.extend(f"  {c}  {describe_code(c, index)}" for c in res.candidates)
    return "\n".join(lines)


def describe_code(code: str, index: AddressIndex) -> str:
    """The library's standard text of a code."""
    return index.code_text.get(code, "（不在标准地址库）")
