"""Every level of the linkage model is shown to reviewers in Chinese."""

from __future__ import annotations

import re

from recon.matching.linkage import person_settings
from recon.review.labels import LEVEL_DESCRIPTIONS, MATCH_LEVELS, level_description

HAN = re.compile(r"[\u4e00-\u9fff]")


def test_every_model_level_has_a_chinese_label_and_description() -> None:
    for c in person_settings().comparisons:
        for level in ["null", *c.labels]:
            assert HAN.search(MATCH_LEVELS.get(level, "")), f"no Chinese label for {c.name}/{level}"
            assert HAN.search(level_description(c.name, level)), f"no Chinese description for {c.name}/{level}"


def test_descriptions_name_only_levels_the_model_has() -> None:
    levels = {(c.name, lv) for c in person_settings().comparisons for lv in ["null", *c.labels]}
    assert set(LEVEL_DESCRIPTIONS) <= levels
    assert level_description("name", "no_such_level") == ""
