"""Steps after ingest: resolve addresses, link persons, findings and rates.

Plain functions over the build `Warehouse` (tests call them without Prefect); each reads the
current raw layer, calls the pure functions of `matching/` and `reconcile/`, and writes its
output tables. They log rows in and out.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date

import polars as pl

from recon.connectors.contract import FEEDS, PERSON_SOURCES
from recon.matching.address_index import AddressIndex
from recon.matching.address_resolve import resolve_addresses
from recon.matching.id_number import parse_ids
from recon.matching.linkage import link_persons
from recon.matching.person_places import record_places
from recon.reconcile.annual_report import annual_tables, penalty_exposure
from recon.reconcile.evidence import EVIDENCE_INPUTS, build_evidence, current_address
from recon.reconcile.findings import all_findings
from recon.reconcile.lifecycle import FLAG_SCHEMA, advance
from recon.reconcile.rates import compute_rates
from recon.reconcile.workdays import WorkCalendar
from recon.warehouse.gateway import Warehouse
from recon.warehouse.schema import current_view

log = logging.getLogger("recon.pipelines.steps")

REGISTRY = "police_registry"


@dataclass
class StepCount:
    step: str
    rows_in: int
    rows_out: int
    detail: dict
    seconds: float | None = None

    def as_json(self) -> dict:
        return {
            "step": self.step,
            "rows_in": self.rows_in,
            "rows_out": self.rows_out,
            "seconds": self.seconds,
            **self.detail,
        }


def current(wh: Warehouse, source: str, columns: tuple[str, ...] | None = None) -> pl.DataFrame:
    """A feed's current rows sorted by record_id: every column, or those of `columns` it has."""
    cols = "*"
    if columns is not None:
        have = set(FEEDS[source].names) | {"record_id"}
        cols = ", ".join(f'"{c}"' for c in columns if c in have)
    # sorted by polars (multi-threaded) rather than by DuckDB: cheap on a run's sorted snapshot
    return wh.query_pl(f'SELECT {cols} FROM "{current_view(source)}"', table=current_view(source)).sort(
        "record_id"
    )


def library(wh: Warehouse) -> pl.DataFrame:
    return current(wh, "standard_address")


# -- addresses ---------------------------------------------------------------------------------
def address_records(wh: Warehouse) -> pl.DataFrame:
    """(source, record_id, address_raw) for every accepted record of every person-bearing feed."""
    parts = []
    for source in PERSON_SOURCES:
        col = FEEDS[source].address_column
        parts.append(
            wh.query_pl(
                f'SELECT ? AS source, record_id, "{col}" AS address_raw FROM "{current_view(source)}"',
                [source],
                table=current_view(source),
            )
        )
    return pl.concat(parts, how="vertical").sort("source", "record_id")


ADDRESS_CACHE_KEY = "address_cache_key"
_CACHED = ["std_address_code", "status", "confidence", "reason", "candidates"]


def address_cache_key(lib: pl.DataFrame, aliases: pl.DataFrame | None) -> str:
    """What a resolved address depends on besides its text: the standard library, the alias
    table and the resolver's code. Any change gives a new key, and every text is resolved again."""
    import hashlib
    from importlib import resources

    h = hashlib.sha256()
    for frame in (lib.sort("record_id").drop([c for c in lib.columns if c.startswith("_")]), aliases):
        if frame is not None and frame.height:
            h.update(frame.write_csv().encode())
        h.update(b"|")
    package = resources.files("recon.matching")
    for name in sorted(p.name for p in package.iterdir() if p.name.startswith("address_")):
        h.update(package.joinpath(name).read_bytes())
    return h.hexdigest()[:32]


def _previous_resolutions(wh: Warehouse, key: str) -> pl.DataFrame | None:
    """Last run's answers per address text, when they were made with the same library and code."""
    if not wh.table_exists("address_match"):
        return None
    if wh.scalar("SELECT value FROM meta WHERE key = ?", [ADDRESS_CACHE_KEY], table="meta") != key:
        return None
    cols = ", ".join(f'any_value("{c}") AS "{c}"' for c in _CACHED)
    return wh.query_pl(
        f"SELECT address_raw, {cols} FROM address_match WHERE address_raw IS NOT NULL GROUP BY address_raw",
        table="address_match",
    )


def resolve_step(wh: Warehouse, aliases: pl.DataFrame | None = None) -> StepCount:
    """address_match for every accepted record; registry rows also compare their held code.

    A nightly run resolves only address texts it has not seen: the previous published file's
    answers are reused when the standard library, the alias table and the resolver's code are
    unchanged (`address_cache_key`); otherwise every text is resolved again."""
    lib = library(wh)
    recs = address_records(wh)
    key = address_cache_key(lib, aliases)
    known = _previous_resolutions(wh, key)
    todo = recs if known is None else recs.join(known.select("address_raw"), on="address_raw", how="anti")
    todo_texts = todo.select("address_raw").unique()
    res = resolve_addresses(todo_texts["address_raw"], AddressIndex.build(lib, aliases))
    fresh = pl.concat([todo_texts, res.drop("address_raw").select(_CACHED)], how="horizontal").with_columns(
        pl.col("candidates").cast(pl.List(pl.Utf8))
    )
    answers = (
        fresh if known is None else pl.concat([known.select(fresh.columns), fresh], how="vertical_relaxed")
    )
    out = recs.join(answers, on="address_raw", how="left", nulls_equal=True, maintain_order="left")
    held = (
        current(wh, REGISTRY)
        .select("record_id", pl.col("std_address_code").alias("held_code"))
        .with_columns(pl.lit(REGISTRY).alias("source"))
    )
    out = out.join(held, on=["source", "record_id"], how="left").with_columns(
        pl.when(pl.col("held_code").is_null())
        .then(None)
        .otherwise(pl.col("held_code") == pl.col("std_address_code"))
        .alias("held_code_matches")
    )
    wh.replace_table(
        "address_match",
        out.select(
            "source",
            "record_id",
            "address_raw",
            "std_address_code",
            "status",
            "confidence",
            "reason",
            pl.col("candidates").cast(pl.List(pl.Utf8)),
            "held_code",
            "held_code_matches",
        ),
    )
    wh.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [ADDRESS_CACHE_KEY, key], table="meta")
    by_status = dict(out.group_by("status").len().sort("status").iter_rows())
    log.info(
        "addresses: %d records, %d distinct texts resolved tonight (the others as last night), by status %s",
        out.height,
        todo_texts.height,
        by_status,
    )
    return StepCount(
        "resolve_addresses",
        recs.height,
        out.height,
        {
            "by_status": by_status,
            "texts_resolved": todo_texts.height,
            "texts_reused": 0 if known is None else known.height,
        },
    )


# -- persons -------------------------------------------------------------------------------------
# (output name, feed column, SQL type) of the person fields the feeds may carry
PERSON_FIELDS = (
    ("name", "name", "VARCHAR"),
    ("id_number", "id_number", "VARCHAR"),
    ("id_type", "id_type", "VARCHAR"),
    ("phone", "phone", "VARCHAR"),
    ("birth_date", "birth_date", "DATE"),
    ("gender", "gender", "VARCHAR"),
    ("grid", "grid_id", "VARCHAR"),
)


def _quoted(column: str) -> str:
    return f'"{column}"'


def person_fields(wh: Warehouse, names: tuple[str, ...] | None = None) -> pl.DataFrame:
    """source, record_id and the PERSON_FIELDS of `names` (all by default) of every accepted
    record of every person-bearing feed; a feed without a field gives nulls."""
    fields = [f for f in PERSON_FIELDS if names is None or f[0] in names]
    parts = []
    for source in PERSON_SOURCES:
        cols = set(FEEDS[source].names)
        picked = ", ".join(
            f"{_quoted(col) if col in cols else 'NULL'}::{typ} AS {name}" for name, col, typ in fields
        )
        parts.append(f"SELECT '{source}' AS source, record_id, {picked} FROM \"{current_view(source)}\"")
    return wh.query_pl(" UNION ALL ".join(parts), table="person_link")


def person_records(wh: Warehouse) -> pl.DataFrame:
    """The linkage input: one row per accepted person-bearing record."""
    recs = person_fields(wh)
    am = wh.query_pl(
        "SELECT source, record_id, std_address_code, candidates FROM address_match", table="address_match"
    )
    lib = library(wh).select(
        pl.col("address_code").alias("code"),
        pl.concat_str(
            [
                pl.col("community"),
                pl.coalesce("compound", pl.concat_str(["road", "door_number"])),
                pl.col("building"),
            ],
            separator="|",
            ignore_nulls=True,
        ).alias("building_key"),
        "community",
    )
    # a partial address still places the person in a building or community (person_places)
    return recs.join(record_places(am, lib), on=["source", "record_id"], how="left").sort(
        "source", "record_id"
    )


def link_step(wh: Warehouse, labels: pl.DataFrame | None = None) -> StepCount:
    previous = (
        wh.query_pl("SELECT source, record_id, person_id FROM person_link", table="person_link")
        if wh.table_exists("person_link")
        else None
    )
    # the input frame is not kept here, so linkage frees it once it has prepared its own
    result = link_persons(person_records(wh), previous=previous, labels=labels)
    n_in = result.person_link.height  # one row per input record
    wh.replace_table("person_link", result.person_link)
    wh.replace_table("person", result.persons)
    wh.replace_table("linkage_pair", result.pairs)
    wh.execute(
        "CREATE OR REPLACE TABLE linkage_model AS SELECT ? AS model_json",
        [result.model.to_json()],
        table="linkage_model",
    )
    n_persons = result.person_link["person_id"].n_unique()
    log.info("linkage: %d records -> %d persons", n_in, n_persons)
    return StepCount("link_persons", n_in, result.person_link.height, {"persons": n_persons})


PAIRS_PER_FINDING = 10
EXPLANATION_PAIRS = "pair_explanation_pairs"


def explain_step(wh: Warehouse) -> StepCount:
    """`pair_explanation`: waterfalls of the pairs behind each finding (after findings_step).

    A finding's pairs are the scored pairs touching its person: those of the finding's own
    record first, then the links that made the person, then near misses to other persons (why
    an unregistered person was not linked to a registered one), the strongest first, at most
    PAIRS_PER_FINDING.

    The pairs are stored one row each (`pair_explanation_pairs`, with their levels and weights)
    and `pair_explanation` is a view unfolding them into waterfall steps
    (`recon.matching.explain.waterfall_view_sql`): a million persons' findings have ~3M such
    pairs, which would be ~25M step rows if stored unfolded."""
    from recon.matching.explain import waterfall_view_sql
    from recon.matching.fellegi_sunter import LinkageModel

    model = LinkageModel.from_json(wh.scalar("SELECT model_json FROM linkage_model", table="linkage_model"))
    wh.execute(
        f"""CREATE OR REPLACE TABLE "{EXPLANATION_PAIRS}" AS
        WITH f AS (SELECT flag_id, source, record_id, person_id FROM flag
                   WHERE status <> 'closed' AND person_id IS NOT NULL),
        fl AS (SELECT source, record_id, person_id FROM person_link
               WHERE person_id IN (SELECT person_id FROM f)),
        -- only the pairs touching a flagged person's records are given both persons
        lp AS (
            SELECT lp.* FROM linkage_pair lp SEMI JOIN fl ON fl.source = lp.source_l AND fl.record_id = lp.record_id_l
            UNION ALL
            SELECT lp.* FROM linkage_pair lp SEMI JOIN fl ON fl.source = lp.source_r AND fl.record_id = lp.record_id_r
            ANTI JOIN fl AS l2 ON l2.source = lp.source_l AND l2.record_id = lp.record_id_l
        ),
        p AS (
            SELECT lp.*, a.person_id AS person_id_l, b.person_id AS person_id_r FROM lp
            JOIN person_link a ON a.source = lp.source_l AND a.record_id = lp.record_id_l
            JOIN person_link b ON b.source = lp.source_r AND b.record_id = lp.record_id_r
        ),
        hit AS (
            SELECT f.flag_id, p.*,
                   (p.source_l = f.source AND p.record_id_l = f.record_id)
                   OR (p.source_r = f.source AND p.record_id_r = f.record_id) AS own_record
            FROM f JOIN p ON p.person_id_l = f.person_id
            UNION ALL
            SELECT f.flag_id, p.*,
                   (p.source_l = f.source AND p.record_id_l = f.record_id)
                   OR (p.source_r = f.source AND p.record_id_r = f.record_id) AS own_record
            FROM f JOIN p ON p.person_id_r = f.person_id AND p.person_id_l <> f.person_id
        )
        SELECT * EXCLUDE (rn) FROM (
            SELECT *, row_number() OVER (
                PARTITION BY flag_id ORDER BY own_record DESC, linked DESC, match_weight DESC,
                source_l, record_id_l, source_r, record_id_r) AS rn
            FROM hit
        ) WHERE rn <= {PAIRS_PER_FINDING}
        ORDER BY flag_id, rn""",
        table=EXPLANATION_PAIRS,
    )
    cols = [r[0] for r in wh.rows(f'DESCRIBE "{EXPLANATION_PAIRS}"', table=EXPLANATION_PAIRS)]
    keys = [c for c in cols if not c.startswith(("g_", "w_"))]
    kind = wh.scalar(
        "SELECT table_type FROM information_schema.tables WHERE table_schema = 'main' AND table_name = ?",
        ["pair_explanation"],
        table="pair_explanation",
    )
    if kind == "BASE TABLE":  # files published before the view stored the steps unfolded
        wh.execute("DROP TABLE pair_explanation", table="pair_explanation")
    wh.execute(
        f"CREATE OR REPLACE VIEW pair_explanation AS {waterfall_view_sql(EXPLANATION_PAIRS, keys, model)}",
        table="pair_explanation",
    )
    n_pairs, flags = wh.rows(
        f'SELECT count(*), count(DISTINCT flag_id) FROM "{EXPLANATION_PAIRS}"', table=EXPLANATION_PAIRS
    )[0]
    steps = n_pairs * (len(model.settings.comparisons) + 1)
    log.info("pair explanations: %d pairs (%d waterfall steps) behind %d findings", n_pairs, steps, flags)
    return StepCount("explain_findings", n_pairs, steps, {"findings_explained": flags})


# -- findings and rates --------------------------------------------------------------------------
def registrations(wh: Warehouse) -> pl.DataFrame:
    reg = current(wh, REGISTRY)
    ids = parse_ids(reg["id_number"], reg["id_type"])
    links = wh.query_pl("SELECT record_id, person_id FROM person_link WHERE source = ?", [REGISTRY])
    am = wh.query_pl(
        "SELECT record_id, std_address_code AS dwelling, status AS address_status FROM address_match "
        "WHERE source = ?",
        [REGISTRY],
    )
    return (
        reg.select(
            "record_id",
            "id_type",
            "registered_on",
            "deregistered_on",
            "address",
            "permit_number",
            "dwelling_kind",
            pl.col("std_address_code").alias("held_code"),
            pl.col("community").alias("reg_community"),
            pl.col("police_station").alias("reg_police_station"),
            "collector",
        )
        .with_columns(ids["id_status"], ids["id_problems"])
        .join(links, on="record_id", how="left")
        .join(am, on="record_id", how="left")
    )


def persons_locality(wh: Warehouse, district: str) -> pl.DataFrame:
    """Local hukou or not, per person: the golden ID's area code when it has a valid ID, else what the
    grid workers and communities recorded as 人员类别 (户籍 = local) on the person's records."""
    p = wh.query_pl("SELECT person_id, id_number FROM person", table="person")
    ids = parse_ids(p["id_number"])
    by_id = (
        pl.when(ids["id_status"] == "valid")
        .then(pl.col("id_number").str.slice(0, 6) == district)
        .otherwise(None)
    )
    cats = wh.query_pl(
        f"""SELECT l.person_id, bool_or(c.person_category = '户籍') AS any_local,
                   bool_or(c.person_category IN ('流动', '境外')) AS any_floating
            FROM (SELECT 'grid_visit' AS source, record_id, person_category FROM "{current_view("grid_visit")}"
                  UNION ALL
                  SELECT 'community_roster', record_id, person_category FROM "{current_view("community_roster")}") c
            JOIN person_link l USING (source, record_id)
            WHERE c.person_category IS NOT NULL GROUP BY l.person_id""",
        table="person_link",
    )
    by_category = (
        pl.when(pl.col("any_local") & ~pl.col("any_floating").fill_null(False)).then(True).otherwise(None)
    )
    return (
        p.with_columns(by_id.alias("id_local"))
        .join(cats, on="person_id", how="left")
        .with_columns(pl.coalesce("id_local", by_category, pl.lit(False)).alias("is_local"))
        .select("person_id", "is_local")
    )


def report_tables(
    wh: Warehouse,
    regs: pl.DataFrame,
    evidence: pl.DataFrame,
    persons: pl.DataFrame,
    flags: pl.DataFrame,
    as_of: date,
) -> None:
    """Annual-report tables (age, origin, dwelling type, length of residence) and penalty exposure."""
    golden = wh.query_pl("SELECT person_id, id_number, birth_date FROM person", table="person")
    ids = parse_ids(golden["id_number"])
    people = (
        golden.with_columns(
            pl.coalesce(pl.col("birth_date"), ids["id_birth_date"]).alias("birth_date"),
            ids["id_province"].alias("province"),
            ids["id_city"].alias("city"),
        )
        .join(persons, on="person_id", how="left")
        .select("person_id", "is_local", "birth_date", "province", "city")
    )
    current = current_address(evidence, as_of)
    for name, table in annual_tables(current, evidence, regs, people, as_of).items():
        wh.replace_table(name, table)
    wh.replace_table("penalty_exposure", penalty_exposure(flags, evidence, as_of))


def findings_step(
    wh: Warehouse, as_of: date, district: str, decisions: pl.DataFrame, calendar: WorkCalendar | None = None
) -> StepCount:
    regs = registrations(wh)
    feeds = {s: current(wh, s, EVIDENCE_INPUTS) for s in PERSON_SOURCES if s != REGISTRY}
    links = wh.query_pl("SELECT source, record_id, person_id FROM person_link", table="person_link")
    dw = wh.query_pl("SELECT source, record_id, std_address_code FROM address_match", table="address_match")
    evidence = build_evidence(feeds, links, dw)
    persons = persons_locality(wh, district)
    found = all_findings(regs, evidence, persons, as_of, calendar)
    previous = (
        wh.query_pl("SELECT * FROM flag", table="flag")
        if wh.table_exists("flag")
        else pl.DataFrame(schema=FLAG_SCHEMA)
    )
    flags = advance(previous, found, decisions, as_of)
    wh.replace_table("flag", flags)
    wh.replace_table("evidence", evidence)
    kpi = compute_rates(regs, evidence, persons, library(wh), as_of, district)
    wh.replace_table("kpi", kpi)
    report_tables(wh, regs, evidence, persons, flags, as_of)
    by_type = dict(
        flags.filter(pl.col("status") != "closed").group_by("flag_type").len().sort("flag_type").iter_rows()
    )
    log.info("findings: %s open or decided; %d kpi rows", json.dumps(by_type, ensure_ascii=False), kpi.height)
    return StepCount(
        "findings_and_rates",
        regs.height + evidence.height,
        flags.height,
        {"findings_by_type": by_type, "kpi_rows": kpi.height},
    )
