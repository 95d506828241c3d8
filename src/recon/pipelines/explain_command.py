"""`recon explain`: why two records are (or are not) the same person (issue #4).

Reads the run's model (table `linkage_model`) and both records (the feeds' current rows, as
the linkage step read them) from the published DuckDB file, recomputes the pair's comparison
levels and prints the waterfall: the prior, one bar per comparison, the total match weight and
probability; then what the run decided (the stored pair, the person ids).
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from recon.pipelines.settings import DEFAULT_DB


def register(app: typer.Typer) -> None:
    """Attach the explain command to the top-level `recon` app."""
    app.command("explain")(explain)


def _fail(message: str, code: int = 2) -> None:
    typer.secho(f"error: {message}", fg="red", err=True)
    raise typer.Exit(code)


def explain(
    record_a: str = typer.Argument(
        ..., help="First record as SOURCE:RECORD_ID, e.g. intermediary_lease:ZJ2025..."
    ),
    record_b: str = typer.Argument(..., help="Second record as SOURCE:RECORD_ID."),
    db: Path = typer.Option(
        DEFAULT_DB, help="The published DuckDB file (model and records are read from it)."
    ),
    as_json: bool = typer.Option(
        False, "--json", help="Print the explanation as JSON instead of a waterfall."
    ),
) -> None:
    """Show the per-comparison match weights (a waterfall) for two records."""
    import polars as pl

    from recon.matching.explain import explain_keys, parse_record_key
    from recon.matching.fellegi_sunter import LinkageModel
    from recon.matching.person_places import grid_communities
    from recon.pipelines.reconcile_steps import person_records
    from recon.warehouse.gateway import Warehouse

    keys = []
    for key in (record_a, record_b):
        try:
            keys.append(parse_record_key(key))
        except ValueError as e:
            _fail(str(e))
    if keys[0] == keys[1]:
        _fail(f"both arguments name the same record {record_a!r}; give two different records")
    if not db.exists():
        _fail(f"{db} does not exist; run `recon nightly` first or point --db at a published file")
    with Warehouse(db, read_only=True) as wh:
        if not wh.table_exists("linkage_model") or not wh.table_exists("person_link"):
            _fail(f"{db} holds no linkage model; it was not written by a complete `recon nightly` run")
        model = LinkageModel.from_json(
            wh.scalar("SELECT model_json FROM linkage_model", table="linkage_model")
        )
        records = person_records(wh)
        # a grid visit's community is learned from all of tonight's records (as the run did)
        records = records.with_columns(
            pl.coalesce("community", grid_communities(records["grid"], records["community"])).alias(
                "community"
            )
        )
        known = set(records["source"].unique().to_list())
        for (source, record_id), key in zip(keys, (record_a, record_b), strict=True):
            if source not in known:
                _fail(f"unknown source {source!r} in {key!r}; sources with person records: {sorted(known)}")
            hit = records.filter((pl.col("source") == source) & (pl.col("record_id") == record_id))
            if hit.height == 0:
                _fail(
                    f"no {source} record with record_id {record_id!r} in {db} "
                    "(check the id; records quarantined or superseded by a later drop are not linked)"
                )
        links = wh.query_pl(
            "SELECT source, record_id, person_id, match_probability FROM person_link "
            "WHERE (source = ? AND record_id = ?) OR (source = ? AND record_id = ?)",
            [keys[0][0], keys[0][1], keys[1][0], keys[1][1]],
            table="person_link",
        )
        stored = wh.query_pl(
            "SELECT match_weight, match_probability, linked FROM linkage_pair WHERE "
            "(source_l = ? AND record_id_l = ? AND source_r = ? AND record_id_r = ?) OR "
            "(source_l = ? AND record_id_l = ? AND source_r = ? AND record_id_r = ?)",
            [*keys[0], *keys[1], *keys[1], *keys[0]],
            table="linkage_pair",
        )
    exp = explain_keys(records, record_a, record_b, model)
    person = {f"{s}:{r}": p for s, r, p, _ in links.iter_rows()}
    same = person.get(record_a) is not None and person.get(record_a) == person.get(record_b)
    if as_json:
        out = exp.to_dict()
        out["person_id"] = {k: person.get(k) for k in (record_a, record_b)}
        out["same_person_in_run"] = same
        out["stored_pair"] = stored.to_dicts()[0] if stored.height else None
        typer.echo(json.dumps(out, ensure_ascii=False, indent=1, default=str))
        return
    typer.echo(exp.waterfall())
    typer.echo(
        f"\nin the run: {record_a} → person {person.get(record_a)}, {record_b} → person {person.get(record_b)}"
        f" ({'same person' if same else 'different persons'})"
    )
    if stored.height:
        row = stored.row(0, named=True)
        typer.echo(
            f"the run scored this pair: weight {row['match_weight']:.2f}, probability "
            f"{row['match_probability']:.6f}, {'same person' if row['linked'] else 'not the same person'}"
        )
    else:
        typer.echo(
            "the run stored no row for this exact pair: no blocking rule made it a candidate, its "
            f"probability was below the {model.settings.pair_floor} floor, or it was scored once under "
            "another record identical in every compared field"
        )
    if not same and exp.match_probability >= model.settings.threshold:
        typer.echo(
            "note: the pair scores above the threshold yet the persons differ: the guard against two "
            "valid ID numbers, a reviewer's 'not the same person', or no blocking rule kept them apart"
        )
