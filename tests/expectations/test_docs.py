"""Data Docs are rendered by GX's site builder into a static folder."""

from __future__ import annotations

import re

import pytest

from recon.expectations import build_data_docs, feed_suite, validate_frame
from recon.expectations.docs import OFFLINE_MARKER
from tests.expectations.conftest import clean_frame


@pytest.fixture(scope="module")
def outcomes(gx_engine):
    good = validate_frame(
        feed_suite("grid_visit", None), clean_frame("grid_visit"), "grid_visit/2026-11-20.csv"
    )
    bad_df = clean_frame("police_registry")
    bad_df.loc[bad_df.index[:4], "address"] = None
    bad = validate_frame(feed_suite("police_registry", None), bad_df, "police_registry/2026-11-20.xlsx")
    return [good, bad]


def test_index_is_written_and_mentions_the_suites(outcomes, tmp_path):
    index = build_data_docs(outcomes, tmp_path / "docs")
    assert index == tmp_path / "docs" / "index.html" and index.is_file()
    page = index.read_text(encoding="utf-8")
    assert "feed.police_registry" in page and "feed.grid_visit" in page
    assert (tmp_path / "docs" / "expectations" / "feed" / "police_registry.html").is_file()
    assert (tmp_path / "docs" / "static" / "styles" / "data_docs_default_styles.css").is_file()


def test_offline_index_links_every_validation_page(outcomes, tmp_path):
    out = tmp_path / "docs"
    page = build_data_docs(outcomes, out).read_text(encoding="utf-8")
    section = page[page.index(OFFLINE_MARKER) :]
    section = section[: section.index("</section>")]
    links = re.findall(r'href="([^"]+)"', section)
    assert len(links) == 2
    for link in links:
        target = out / link
        assert target.is_file(), link
        assert "Expectation Validation Result" in target.read_text(encoding="utf-8")
    assert "QUARANTINED" in section and "passed" in section
    bad_page = (out / links[1]).read_text(encoding="utf-8")
    assert "address" in bad_page and "police_registry/2026-11-20.xlsx" in bad_page


def test_rebuild_drops_pages_of_earlier_runs(outcomes, tmp_path):
    out = tmp_path / "docs"
    build_data_docs(outcomes, out)
    build_data_docs(outcomes[:1], out)
    pages = sorted(p.relative_to(out).as_posix() for p in (out / "validations").rglob("*.html"))
    assert len(pages) == 1 and pages[0].startswith("validations/feed/grid_visit/"), pages
    assert not (out / "expectations" / "feed" / "police_registry.html").exists()


def test_outcome_without_gx_objects_is_refused(outcomes, tmp_path):
    import dataclasses

    stripped = dataclasses.replace(outcomes[0], gx_result=None)
    with pytest.raises(ValueError, match="carries no GX suite/result"):
        build_data_docs([stripped], tmp_path / "docs")
