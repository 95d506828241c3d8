"""Feed suites are derived from the contract: rule tables, no GX run needed."""

from __future__ import annotations

import re

import pytest

from recon.connectors.contract import FEEDS, feed
from recon.expectations import BatchCounts, feed_suite
from recon.expectations import suites as s
from recon.expectations.results import shape_mask


def _ids(suite, prefix: str) -> list[str]:
    return [c.check_id for c in suite.checks if c.check_id.startswith(prefix)]


@pytest.mark.parametrize("source", sorted(FEEDS))
def test_columns_and_required_values_come_from_the_contract(source):
    spec = feed(source)
    suite = feed_suite(source, None)
    assert suite.name == f"feed.{source}" and suite.target == source
    assert suite.check("columns").kwargs["column_set"] == ["record_id", *spec.names]
    assert suite.check("columns").critical
    required = {c.name for c in spec.columns if c.required} | {"record_id"}
    not_null = {c.column for c in suite.checks if c.kind == "not_null"}
    assert not_null == required
    assert all(c.critical for c in suite.checks if c.kind == "not_null")


@pytest.mark.parametrize("source", sorted(FEEDS))
def test_key_uniqueness_only_for_full_list_feeds(source):
    suite = feed_suite(source, None)
    unique = [c for c in suite.checks if c.kind == "unique"]
    if feed(source).mode == "append":
        assert unique == [], "append feeds legitimately repeat keys across drops"
    else:
        assert len(unique) == 1 and not unique[0].critical and unique[0].min_rate == s.KEY_UNIQUE_TARGET


def test_id_format_levels():
    reg = feed_suite("police_registry", None)
    assert reg.check("id_format:id_number:critical").min_rate == s.ID_FORMAT_FLOOR
    assert reg.check("id_format:id_number:critical").critical
    assert not reg.check("id_format:id_number:warning").critical
    assert "row_condition" in reg.check("id_format:id_number:critical").kwargs  # other documents left out
    addr = feed_suite("standard_address", None)
    assert _ids(addr, "id_format:") == ["id_format:landlord_id_number:warning"]  # landlord IDs never block
    visit = feed_suite("grid_visit", None)
    assert "row_condition" not in visit.check("id_format:id_number:warning").kwargs  # no id_type column
    assert _ids(feed_suite("intermediary_lease", None), "phone_format:") == [
        "phone_format:landlord_phone",
        "phone_format:phone",
    ]


def test_enum_levels():
    visit = feed_suite("grid_visit", None)
    assert visit.check("in_set:visit_result:critical").kwargs["value_set"] == list(
        feed("grid_visit").column("visit_result").values
    )
    assert not visit.check("in_set:person_category:warning").critical
    assert _ids(visit, "in_set:person_category") == [
        "in_set:person_category:warning"
    ]  # optional: warning only


ROW_COUNT_CASES = [
    # (source, previous, expected {check_id: (min, max, critical)})
    ("police_registry", 1000, {"row_count:change": (500, 1500, False), "row_count:drop": (100, None, True)}),
    ("police_registry", None, {"row_count:drop": (1, None, True)}),
    ("police_registry", 0, {"row_count:drop": (1, None, True)}),
    ("police_registry", 7, {"row_count:change": (4, 10, False), "row_count:drop": (1, None, True)}),
    ("intermediary_lease", 1000, {"row_count:change": (500, 1500, False)}),
    ("intermediary_lease", None, {}),
    ("community_roster", 300, {"row_count:change": (150, 450, False)}),
]


def test_row_count_bounds_rule_table():
    failures = []
    for source, previous, expected in ROW_COUNT_CASES:
        suite = feed_suite(source, previous)
        got = {
            c.check_id: (c.kwargs["min_value"], c.kwargs["max_value"], c.critical)
            for c in suite.checks
            if c.check_id.startswith("row_count:")
        }
        if got != expected:
            failures.append((source, previous, expected, got))
    assert not failures, "\n".join(map(str, failures))


def test_counts_add_accepted_share_and_date_parse_checks():
    counts = BatchCounts(
        rows_read=1000, raw_nonnull={"lease_end": 400, "moved_out_on": 0, "lease_start": 990}
    )
    suite = feed_suite("intermediary_lease", None, counts=counts)
    assert suite.check("accepted_share:critical").kwargs["min_value"] == 500
    assert suite.check("accepted_share:warning").kwargs["min_value"] == 950
    # only non-required dates with raw values get a parse rate; required ones are gated by quarantine
    assert _ids(suite, "date_parse:") == ["date_parse:lease_end:warning", "date_parse:lease_end:critical"]
    check = suite.check("date_parse:lease_end:critical")
    assert check.resolve_parameter(800) == pytest.approx(0.5 * 400 / 800)
    assert suite.expectation_parameters(800) == {
        "min_share__date_parse__lease_end__warning": pytest.approx(0.95 * 400 / 800),
        "min_share__date_parse__lease_end__critical": pytest.approx(0.5 * 400 / 800),
    }
    with pytest.raises(ValueError, match="exceeds the frame's 300 rows"):
        check.resolve_parameter(300)
    with pytest.raises(KeyError, match="lease_ending"):
        feed_suite("intermediary_lease", None, counts=BatchCounts(10, {"lease_ending": 3}))


ID_CASES = [
    ("11010519491231002X", True),
    ("110105194912310021", True),
    ("11010519491231002x", True),
    ("110105491231002", True),
    ("341221********1234", True),
    ("3412************34", True),
    ("1101051949123100", False),
    ("11010519491231002Y", False),
    ("2026-11-03", False),
    ("张三", False),
    ("13800138000", False),
    ("E12345678", False),
    ("", False),
]
PHONE_CASES = [
    ("13800138000", True),
    ("+8613800138000", True),
    ("8613800138000", True),
    ("138****8000", True),
    ("0571-87654321", True),
    ("057187654321", True),
    ("010-12345678-123", True),
    ("87654321", True),
    ("12800138000", False),
    ("1380013800", False),
    ("张三", False),
    ("11010519491231002X", False),
    ("", False),
]


@pytest.mark.parametrize(("regex", "cases"), [(s.ID_NUMBER_REGEX, ID_CASES), (s.PHONE_REGEX, PHONE_CASES)])
def test_format_regex_rule_table(regex, cases):
    wrong = [(v, want) for v, want in cases if bool(re.search(regex, v)) != want]
    assert not wrong, f"regex {regex} got these wrong: {wrong}"


MASK_CASES = [
    ("2026-11-03", "9999-99-99"),
    ("张三", "字字"),
    ("11010519491231002X", "99999999999999999A"),
    ("abc ＡＢ-", "aaa AA-"),
    ("３３０１", "9999"),
    ("x" * 45, "a" * 40 + "…"),
]


def test_shape_mask_rule_table():
    wrong = [(v, want, shape_mask(v)) for v, want in MASK_CASES if shape_mask(v) != want]
    assert not wrong, wrong
