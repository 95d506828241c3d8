"""Resolving a column of address texts: each distinct text once, exact hits by a join.

Addresses repeat heavily (every tenant of a building, every night's re-delivery), so the work
is: distinct texts → (join with the library's standard texts | normal form → parse → locate,
each distinct normal form once) → joined back to the input order. Normalizing and parsing are
pure Python; above `PARALLEL_MIN` distinct texts they are spread over the machine's cores with
forked workers that inherit the index (`AddressPool`, which can also be fed in several
submissions and asked for the results at the end).
"""

from __future__ import annotations

import contextlib
import os
import sys
import warnings
from concurrent.futures import Future, ProcessPoolExecutor

import polars as pl

from recon.matching.address_index import AddressIndex
from recon.matching.address_locate import locate
from recon.matching.address_normalize import normalize_address
from recon.matching.address_outcome import Resolution
from recon.matching.address_parse import parse_address, parse_normalized

PARALLEL_MIN = 40_000  # distinct texts waiting before worker processes are started
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


class AddressPool:
    """Distinct address texts resolved in the background while the caller goes on.

    `submit` takes any column of texts (repeats, nulls and texts already submitted are
    dropped); `results` waits for everything submitted and returns one row per distinct
    stripped text (`_text`, then the columns of RESULT_SCHEMA but `address_raw`); `attach`
    maps them back onto a column of texts in its order. Texts equal to a library standard text
    are found by a join; the others are normalized, parsed and located by `workers` forked
    processes that inherit the index, in chunks of CHUNK sorted texts (neighbours share names,
    so each worker's caches stay warm). Until PARALLEL_MIN texts are waiting no process is
    started, and a small job is resolved in this process when its results are asked for.

    The answer for a text depends on the text and the index only, so how texts are grouped
    into submissions and chunks never changes a result.
    """

    def __init__(self, index: AddressIndex, workers: int | None = None) -> None:
        self.index = index
        self.workers = workers if workers is not None else min(2, os.cpu_count() or 1)
        self._parallel = self.workers > 1 and "fork" in _start_methods()
        self._seen = pl.DataFrame(schema={"_text": pl.Utf8})
        self._waiting: list[pl.DataFrame] = []
        self._running: list[tuple[pl.DataFrame, Future]] = []
        self._done: list[pl.DataFrame] = []
        self._pool: ProcessPoolExecutor | None = None
        self.submitted = 0

    def __enter__(self) -> AddressPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        global _WORKER_INDEX
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if _WORKER_INDEX is self.index:  # the workers' copy is gone; the caller's index may be freed
            _WORKER_INDEX = None

    def submit(self, texts: pl.Series) -> int:
        """Queue the texts not seen before; returns how many distinct new texts were queued."""
        new = (
            texts.cast(pl.Utf8)
            .str.strip_chars()
            .drop_nulls()
            .unique()
            .rename("_text")
            .to_frame()
            .join(self._seen, on="_text", how="anti")
        )
        if new.height == 0:
            return 0
        self._seen = pl.concat([self._seen, new], how="vertical")
        exact = self.index.exact_text.rename({"text": "_text", "code": "_exact"})
        self._waiting.append(new.join(exact, on="_text", how="left"))
        self.submitted += new.height
        if self._parallel and sum(w.height for w in self._waiting) >= PARALLEL_MIN:
            self._start_waiting()
        self._harvest(block=False)
        return new.height

    def _start_waiting(self) -> None:
        if self._pool is None:
            global _WORKER_INDEX
            _WORKER_INDEX = self.index  # inherited by the forked workers
            import multiprocessing

            with warnings.catch_warnings():
                # The workers never call polars; the fork warning is about children that do.
                warnings.simplefilter("ignore", RuntimeWarning)
                self._pool = ProcessPoolExecutor(
                    max_workers=self.workers,
                    mp_context=multiprocessing.get_context("fork"),
                    initializer=_init_worker,
                )
        todo = pl.concat(self._waiting, how="vertical").sort("_text")
        self._waiting = []
        for start in range(0, todo.height, CHUNK):
            part = todo.slice(start, CHUNK)
            chunk = (part.get_column("_text").to_list(), part.get_column("_exact").is_not_null().to_list())
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                self._running.append((part, self._pool.submit(_resolve_chunk, chunk)))

    def _harvest(self, block: bool) -> None:
        still = []
        for part, fut in self._running:
            if block or fut.done():
                self._done.append(self._solved(part, fut.result()))
            else:
                still.append((part, fut))
        self._running = still

    def _solved(self, part: pl.DataFrame, cols: dict[str, list]) -> pl.DataFrame:
        schema = {k: v for k, v in RESULT_SCHEMA.items() if k != "address_raw"}
        return part.with_columns(pl.DataFrame(cols, schema=schema)).select(
            "_text",
            "address_norm",
            std_address_code=pl.coalesce("_exact", "std_address_code"),
            status=pl.when(pl.col("_exact").is_not_null()).then(pl.lit(EXACT.status)).otherwise("status"),
            confidence=pl.when(pl.col("_exact").is_not_null()).then(EXACT.confidence).otherwise("confidence"),
            reason=pl.when(pl.col("_exact").is_not_null()).then(pl.lit(EXACT.reason)).otherwise("reason"),
            candidates=pl.col("candidates"),
        )

    def results(self) -> pl.DataFrame:
        """Every submitted text's resolution (waits for the workers)."""
        if self._waiting:
            if self._pool is not None or (
                self._parallel and sum(w.height for w in self._waiting) >= PARALLEL_MIN
            ):
                self._start_waiting()
            else:
                part = pl.concat(self._waiting, how="vertical").sort("_text")
                self._waiting = []
                chunk = (
                    part.get_column("_text").to_list(),
                    part.get_column("_exact").is_not_null().to_list(),
                )
                self._done.append(self._solved(part, _resolve_chunk(chunk, self.index)))
        self._harvest(block=True)
        if len(self._done) > 1:
            self._done = [pl.concat(self._done, how="vertical")]
        if not self._done:
            schema = {"_text": pl.Utf8, **{k: v for k, v in RESULT_SCHEMA.items() if k != "address_raw"}}
            return pl.DataFrame(schema=schema)
        return self._done[0]

    def resolve(self, texts: pl.Series) -> pl.DataFrame:
        """`resolve_addresses` of these texts, reusing whatever was resolved already."""
        self.submit(texts)
        return attach(texts, self.results(), self.index)


def attach(texts: pl.Series, solved: pl.DataFrame, index: AddressIndex) -> pl.DataFrame:
    """One row per input text, same order, from the per-distinct-text answers of AddressPool."""
    frame = (
        texts.cast(pl.Utf8)
        .rename("address_raw")
        .to_frame()
        .with_columns(_text=pl.col("address_raw").str.strip_chars())
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


def resolve_addresses(texts: pl.Series, index: AddressIndex, workers: int | None = None) -> pl.DataFrame:
    """One row per input text, same order: code (null unless a dwelling), status, confidence,
    reason (Chinese, for officers) and candidate codes of partial or ambiguous answers.

    Each distinct text is handled once (see AddressPool): texts equal to a library standard
    text are found by a join; the others are normalized, parsed and located (each distinct
    normal form once), spread over `workers` processes (default: up to 2) when there are many.
    """
    with AddressPool(index, workers) as pool:
        return pool.resolve(texts)


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
