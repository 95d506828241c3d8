"""Data Docs: GX's own site builder renders a run's validation outcomes as static HTML.

A fresh in-memory context with one filesystem site (`out_dir`) receives the suites and the
validation results of the outcomes, then `build_data_docs()` writes `index.html`, one page
per suite (`expectations/feed/<source>.html`) and one per validated batch
(`validations/feed/<source>/<batch>/<time>/<batch>.html`), plus GX's static CSS, fonts and
images under `static/`.

Offline use: GX's page templates load Bootstrap, jQuery, bootstrap-table, Font Awesome and
Vega from public CDNs. Suite and validation pages are plain HTML tables and stay readable
(unstyled) without them, but the index draws its tables with bootstrap-table, so offline it
would be empty. We therefore add a plain HTML table of every validation page at the top of
the index; nothing else in GX's output is changed.
"""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Sequence
from pathlib import Path

from recon.expectations.gx_context import DOCS_SITE, offline_context
from recon.expectations.runner import ValidationOutcome

_UNSAFE = re.compile(r"[^0-9A-Za-z_.\-\u4e00-\u9fff]+")
OFFLINE_MARKER = "recon-offline-index"


def _safe(text: str) -> str:
    """A batch or run name usable as one path segment in the docs site."""
    return _UNSAFE.sub("_", text).strip("._") or "batch"


def build_data_docs(outcomes: Sequence[ValidationOutcome], out_dir: Path) -> Path:
    """Render the outcomes' suites and results as GX Data Docs under `out_dir`; returns index.html."""
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for owned in ("validations", "expectations"):  # GX's own page folders: drop pages of earlier runs
        shutil.rmtree(out_dir / owned, ignore_errors=True)

    context = offline_context(docs_dir=out_dir)
    listed: list[tuple[ValidationOutcome, str]] = []
    for outcome in outcomes:
        if outcome.gx_suite is None or outcome.gx_result is None:
            raise ValueError(
                f"outcome of {outcome.suite} [{outcome.batch_name}] carries no GX suite/result; Data Docs need the "
                "ValidationOutcome returned by validate_frame, not one rebuilt from warehouse rows"
            )
        context.suites.add_or_update(outcome.gx_suite)
        batch = _safe(outcome.batch_name)
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=outcome.suite),
            run_id=RunIdentifier(run_name=batch, run_time=outcome.run_time),
            batch_identifier=batch,
        )
        context.validation_results_store.set(key, outcome.gx_result)
        listed.append((outcome, "validations/" + "/".join(key.to_tuple()) + ".html"))
    built = context.build_data_docs(site_names=[DOCS_SITE])
    index = out_dir / "index.html"
    if DOCS_SITE not in built or not index.is_file():
        raise RuntimeError(f"GX did not write Data Docs to {index}; it reported {built}")
    _add_offline_index(index, listed)
    return index


def _add_offline_index(index: Path, listed: list[tuple[ValidationOutcome, str]]) -> None:
    rows = []
    for o, href in listed:
        status = "passed" if o.all_met else ("warnings" if o.success else "QUARANTINED")
        rows.append(
            "<tr>"
            f'<td>{html.escape(o.suite)}</td><td><a href="{html.escape(href)}">{html.escape(o.batch_name)}</a></td>'
            f"<td>{o.run_time:%Y-%m-%d %H:%M:%S} UTC</td><td>{o.rows:,}</td><td>{status}</td>"
            f"<td>{len(o.critical_failures)}</td><td>{len(o.warnings)}</td>"
            "</tr>"
        )
    section = (
        f'<section id="{OFFLINE_MARKER}" class="container-fluid" style="padding:1em">'
        "<h3>Validation results</h3>"
        "<p>Static list (readable offline; the tables below it need the CDN scripts).</p>"
        '<table class="table table-sm"><thead><tr><th>Suite</th><th>Batch</th><th>Validated</th><th>Rows</th>'
        "<th>Status</th><th>Critical failures</th><th>Warnings</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></section>"
    )
    page = index.read_text(encoding="utf-8")
    body = re.search(r"<body[^>]*>", page)
    page = page[: body.end()] + section + page[body.end() :] if body else section + page
    index.write_text(page, encoding="utf-8")
