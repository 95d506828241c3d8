"""`generate`: a synthetic district's drop folder (`<out>/input/`) with its ground truth (`<out>/truth/`).

Persons are processed in chunks; each chunk's households only live in that chunk's share of the
dwellings, every finding concerns one person, so each chunk's rows are appended to the drop files
and its findings computed on its own, keeping memory bounded at any size. Every random draw comes
from a numpy Generator seeded by (seed, stream, chunk): the same seed gives byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from recon.connectors.contract import FEEDS, PERSON_SOURCES
from recon.synth import community, leases, registry, rosters, visits
from recon.synth.districts import get_district
from recon.synth.feeds import ChunkContext
from recon.synth.finish import finish
from recon.synth.histories import OPEN, STAY_KINDS, build_histories
from recon.synth.library import build_library
from recon.synth.noise import NoiseProfile
from recon.synth.plan import WINDOW_DAYS, build_plan
from recon.synth.population import build_population, to_days
from recon.synth.standard_feed import aliases_table, dwellings_table, standard_address_rows
from recon.synth.truth import TruthWriter, evidence, persons_table, records, registrations
from recon.synth.truth_findings import compute_findings
from recon.synth.truth_quarterly import (
    grid_truth_frame,
    quarterly_truth_frames,
    true_grid_items,
    true_sections,
)
from recon.synth.writers import DropWriter

GENERATOR_VERSION = 1
CHUNK_PERSONS = 200_000
LIBRARY_SLICE = 1_000_000
STREAMS = {
    "library": 1,
    "population": 2,
    "plan": 3,
    "histories": 10,
    "police_registry": 11,
    "intermediary_lease": 12,
    "property_lease": 13,
    "public_rental_lease": 14,
    "employer_roster": 15,
    "site_roster": 16,
    "grid_visit": 17,
    "self_declaration": 18,
    "community_roster": 19,
    "finish": 40,
}


@dataclass
class SynthSummary:
    out: Path
    persons: int
    seed: int
    as_of: dt.date
    district: str
    rows: dict[str, int]  # data rows written per feed, all files
    rows_read: dict[str, int]  # data rows in the files the product reads
    files: list[str]  # paths relative to `out`
    findings: dict[str, int]
    bad_rows: int
    seconds: float
    chunks: int = 1


def _rng(seed: int, stream: str, chunk: int = 0, sub: int = 0) -> np.random.Generator:
    return np.random.default_rng(
        np.random.SeedSequence(entropy=seed, spawn_key=(STREAMS[stream], chunk, sub))
    )


def _prepare(out: Path) -> None:
    """Replace an earlier synthetic output; refuse to touch folders this generator did not write."""
    out.mkdir(parents=True, exist_ok=True)
    for sub in ("input", "truth"):
        path = out / sub
        if path.exists() and any(path.iterdir()) and not (out / "truth" / "manifest.json").exists():
            raise FileExistsError(
                f"{path} exists and is not empty, and {out / 'truth' / 'manifest.json'} is missing, so it was not "
                f"written by `recon synth`; choose an empty --out folder or remove {path} yourself"
            )
    for sub in ("input", "truth"):
        if (out / sub).exists():
            shutil.rmtree(out / sub)


@dataclass
class _Run:
    """What carries over from chunk to chunk."""

    keys: dict[str, int]  # next key sequence number per feed
    resend: dict[str, str]  # original file name → its re-delivered copy
    resend_records: list[pl.DataFrame] = field(default_factory=list)
    findings: dict[str, int] = field(default_factory=dict)
    bad_rows: int = 0


def _write_alias_reference(input_dir: Path, aliases) -> None:
    """The standard-address authority's list of former community names (input/reference/)."""
    ref = input_dir / "reference"
    ref.mkdir(parents=True, exist_ok=True)
    lines = ["别名,标准名称,类型"] + [
        f"{a},{c},社区" for a, c in aliases.select("alias", "community").iter_rows()
    ]
    (ref / "address_aliases.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def generate(
    out: Path,
    persons: int,
    seed: int,
    as_of: dt.date,
    district: str = "330114",
    noise: NoiseProfile | None = None,
    chunk_persons: int = CHUNK_PERSONS,
) -> SynthSummary:
    """Write a synthetic district of `persons` residents as of `as_of` into `out` (input/ and truth/)."""
    t0 = time.perf_counter()
    if persons < 10:
        raise ValueError(f"persons must be at least 10 to make a district, got {persons}")
    if not isinstance(as_of, dt.date):
        raise TypeError(f"as_of must be a datetime.date, got {as_of!r}")
    spec = get_district(district)
    noise = noise or NoiseProfile()
    out = Path(out)
    _prepare(out)
    lib = build_library(spec, persons, _rng(seed, "library"))
    pop = build_population(spec, persons, lib.n_landlords, as_of, _rng(seed, "population"))
    plans = build_plan(persons, as_of, lib.places.communities["name"].to_list(), _rng(seed, "plan"), noise)
    writer = DropWriter(out / "input", plans)
    truth = TruthWriter(out / "truth")
    for s in range(0, lib.n, LIBRARY_SLICE):
        idx = np.arange(s, min(lib.n, s + LIBRARY_SLICE))
        writer.write("standard_address", standard_address_rows(lib, pop, idx))
        truth.append("dwellings", dwellings_table(lib, idx))
    aliases = aliases_table(lib)
    truth.append("community_aliases", aliases)
    _write_alias_reference(out / "input", aliases)
    run = _Run(
        keys=dict.fromkeys(PERSON_SOURCES, 1),
        resend={
            f.name.replace("_resend", ""): f.name for f in plans["intermediary_lease"] if f.role == "resend"
        },
    )
    n_chunks = max(1, -(-persons // chunk_persons))
    for k in range(n_chunks):
        who = np.arange(k * persons // n_chunks, (k + 1) * persons // n_chunks)
        _chunk(k, n_chunks, who, seed, as_of, lib, pop, plans, noise, writer, truth, run)
    files = writer.finalize(as_of)
    for part in run.resend_records:
        truth.append(
            "records",
            part.with_columns(
                source_file=pl.col("source_file").replace_strict(run.resend),
                is_current=pl.lit(False),
                file_role=pl.lit("resend"),
            ),
        )
    truth.close()
    rows = {s: sum(f["rows"] for f in files if f["source"] == s) for s in FEEDS}
    rows_read = {
        s: sum(f["rows"] for f in files if f["source"] == s and f["role"] == "current") for s in FEEDS
    }
    findings = dict(sorted(run.findings.items()))
    manifest = {
        "generator": "recon.synth",
        "version": GENERATOR_VERSION,
        "seed": seed,
        "persons": persons,
        "as_of": as_of.isoformat(),
        "district": spec.code,
        "district_name": f"{spec.city}{spec.county}",
        "chunk_persons": chunk_persons,
        "chunks": n_chunks,
        "dwellings": lib.n,
        "rows": rows,
        "rows_read": rows_read,
        "findings": findings,
        "bad_rows": run.bad_rows,
        "files": files,
        "noise": noise.to_dict(),
        "truth": sorted(p.name for p in (out / "truth").glob("*.parquet")),
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=2)
    (out / "truth" / "manifest.json").write_text(text, encoding="utf-8")
    return SynthSummary(
        out=out,
        persons=persons,
        seed=seed,
        as_of=as_of,
        district=spec.code,
        rows=rows,
        rows_read=rows_read,
        files=[f["path"] for f in files],
        findings=findings,
        bad_rows=run.bad_rows,
        seconds=time.perf_counter() - t0,
        chunks=n_chunks,
    )


def _chunk(k, n_chunks, who, seed, as_of, lib, pop, plans, noise, writer, truth, run) -> None:
    """One chunk of persons: histories, every feed's rows, their truth and their findings."""
    today = to_days(as_of)
    hist = build_histories(_rng(seed, "histories", k), pop, lib, who, today, k, n_chunks)
    contexts = {
        s: ChunkContext(
            lib,
            pop,
            hist,
            today,
            today - WINDOW_DAYS,
            _rng(seed, s, k),
            noise.for_feed(s),
            plans[s],
            run.keys[s],
        )
        for s in PERSON_SOURCES
    }
    frames = {
        "police_registry": registry.build(contexts["police_registry"]),
        **leases.build({s: contexts[s] for s in leases.SOURCES}),
        "employer_roster": rosters.build_employer(contexts["employer_roster"]),
        "site_roster": rosters.build_site(contexts["site_roster"]),
        "grid_visit": visits.build_grid(contexts["grid_visit"]),
        "self_declaration": visits.build_self(contexts["self_declaration"]),
        "community_roster": community.build(contexts["community_roster"]),
    }
    ev_parts, regs = [], None
    written: dict[str, pl.DataFrame] = {}
    for i, source in enumerate(PERSON_SOURCES):
        run.keys[source] = contexts[source].key_start
        rng = _rng(seed, "finish", k, i)
        frame = finish(rng, source, frames.pop(source), plans[source], noise.for_feed(source))
        frame = writer.write(source, frame)
        recs = records(source, frame, plans[source], lib)
        run.bad_rows += int(recs["is_bad"].sum())
        truth.append("records", recs)
        bad = recs.filter(pl.col("is_bad")).select(
            "source", "source_file", "source_row", "record_id", pl.col("bad_reason").alias("reason")
        )
        truth.append("bad_rows", bad)
        if source == "intermediary_lease" and run.resend:
            run.resend_records.append(recs.filter(pl.col("source_file").is_in(list(run.resend))))
        if source in ("police_registry", "community_roster", "grid_visit"):
            written[source] = frame
        if source == "police_registry":
            regs = registrations(frame, plans[source], lib)
        elif source != "community_roster":
            ev_parts.append(evidence(source, frame, plans[source], lib))
    people = pl.DataFrame({"person_id": who.astype(np.int64) + 1, "is_local": pop.is_local[who]})
    found = compute_findings(people, pl.concat(ev_parts), regs, as_of, lib.spec.code)
    for t, c in found.group_by("flag_type").len().iter_rows():
        run.findings[t] = run.findings.get(t, 0) + c
    truth.append("findings", found)
    q_roster, q_regs, q_dwellings = quarterly_truth_frames(
        written["community_roster"], written["police_registry"], plans, lib
    )
    q_visits = grid_truth_frame(written["grid_visit"], plans, lib)
    for quarter in sorted(q_roster["quarter"].unique().to_list()):
        truth.append("quarterly_sections", true_sections(quarter, q_roster, q_regs, people, q_dwellings))
        with_roster = q_roster.filter(pl.col("quarter") == quarter)["community"].unique().to_list()
        grid = true_grid_items(quarter, q_visits, q_regs, people, q_dwellings, with_roster)
        truth.append("quarterly_sections", grid)
    truth.append("persons", persons_table(lib.spec, pop, who, _household_of(hist, who), k))
    ps = hist.person_stays
    truth.append(
        "stays",
        ps.select(
            person_id=pl.col("person") + 1,
            stay_no="stay_no",
            address_code=pl.Series(lib.code[ps["dwelling"].to_numpy()]),
            start=pl.col("start").cast(pl.Int32).cast(pl.Date),
            end=pl.when(pl.col("end") < OPEN).then(pl.col("end").cast(pl.Int32).cast(pl.Date)),
            kind=pl.Series(STAY_KINDS).gather(ps["kind"]),
            household_id=pl.col("hh") + k * 10_000_000,
        ),
    )


def _household_of(hist, who: np.ndarray) -> np.ndarray:
    first = hist.person_stays.group_by("person").agg(pl.col("hh").first())
    table = pl.DataFrame({"person": who}).join(first, on="person", how="left")
    return table["hh"].fill_null(-1).to_numpy()
