"""Hand-run micro-benchmark of the vectorized normalizers (not collected by pytest).

    .venv/bin/python tests/matching/bench_normalizers.py [ids] [phones] [names] [--rows N]

Synthetic values only (random area codes, dates, mobiles and names), with realistic noise:
typos in check characters, masks, full-width digits, spaces, +86 prefixes, landlines with
extensions, several numbers per cell, traditional characters and remarks in names. Prints the
best of five runs (wall and process CPU seconds) and the machine's load average, because the
numbers mean little on a busy machine.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from collections.abc import Callable
from datetime import date, timedelta

import polars as pl

from recon.matching.id_number import areas, check_character, parse_ids
from recon.matching.names import normalize_names
from recon.matching.phone import parse_phones

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈单解查区仇朴"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红娥玲芬燕彬鹏辉浩宇轩子涵欣怡梓晨雨博文佳琪思远嘉乐建国志海云峰春梅德民永福金龙凤林波亮成荣新宁慧婷雪飞翔鑫晓东俊凯瑞琳颖倩"
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def make_ids(rng: random.Random, n_unique: int, n: int) -> list[str | None]:
    codes = [c for c, a in areas().items() if a.level == "county"]
    base: list[str | None] = []
    for _ in range(n_unique):
        born = date(1950, 1, 1) + timedelta(days=rng.randrange(27_000))
        body = rng.choice(codes) + born.strftime("%Y%m%d") + _digits(rng, 3)
        value: str | None = body + check_character(body)
        r = rng.random()
        if r < 0.03:
            value = body + "0"
        elif r < 0.06:
            value = body[:6] + "*" * 8 + value[14:]
        elif r < 0.08:
            value = f" {value.lower()} "
        elif r < 0.09:
            value = value.translate(FULL_WIDTH)
        elif r < 0.10:
            value = None
        base.append(value)
    return [rng.choice(base) for _ in range(n)]


def make_phones(rng: random.Random, n_unique: int, n: int) -> list[str | None]:
    base: list[str | None] = []
    for _ in range(n_unique):
        mobile = "1" + rng.choice("3456789") + _digits(rng, 9)
        r = rng.random()
        value: str | None = mobile
        if r < 0.05:
            value = "+86 " + mobile
        elif r < 0.08:
            value = f"{mobile[:3]}-{mobile[3:7]}-{mobile[7:]}"
        elif r < 0.11:
            value = "0571-8" + _digits(rng, 7)
        elif r < 0.12:
            value = "0571-8" + _digits(rng, 7) + "-" + _digits(rng, 3)
        elif r < 0.13:
            value = mobile + "/1" + rng.choice("3456789") + _digits(rng, 9)
        elif r < 0.15:
            value = None
        base.append(value)
    return [rng.choice(base) for _ in range(n)]


def make_names(rng: random.Random, n_unique: int, n: int) -> list[str | None]:
    base: list[str | None] = []
    for _ in range(n_unique):
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        r = rng.random()
        if r < 0.05:
            name = " ".join(name)
        elif r < 0.07:
            name += "（临时）"
        elif r < 0.09:
            name = "歐陽" + name[1:]
        base.append(name)
    return [rng.choice(base) for _ in range(n)]


def run(label: str, fn: Callable[[pl.Series], pl.DataFrame], values: pl.Series, repeats: int = 5) -> None:
    fn(values.head(1000))  # warm caches and imports
    best: tuple[float, float] | None = None
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        fn(values)
        took = (time.perf_counter() - wall, time.process_time() - cpu)
        best = took if best is None else min(best, took)
    assert best is not None
    print(
        f"{label}: {len(values):,} rows, {values.n_unique():,} distinct: best wall {best[0]:.2f} s "
        f"({len(values) / best[0] / 1e6:.2f} M rows/s), cpu {best[1]:.2f} s; load {os.getloadavg()[0]:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("which", nargs="*", default=["ids", "phones", "names"])
    parser.add_argument("--rows", type=int, default=2_000_000)
    args = parser.parse_args()
    rng = random.Random(2026)
    n = args.rows
    if "ids" in args.which:
        run("parse_ids", parse_ids, pl.Series("id", make_ids(rng, n // 4, n), dtype=pl.String))
    if "phones" in args.which:
        run("parse_phones", parse_phones, pl.Series("phone", make_phones(rng, n // 4, n), dtype=pl.String))
    if "names" in args.which:
        run(
            "normalize_names", normalize_names, pl.Series("name", make_names(rng, n // 6, n), dtype=pl.String)
        )


if __name__ == "__main__":
    main()
