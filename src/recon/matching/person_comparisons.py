"""Person comparisons: ID number, name, birth date, gender, phone, dwelling, hukou area.

They read the columns `person_features.prepare_person_records` derives. Every Chinese string
similarity goes through rapidfuzz (characters, not UTF-8 bytes).
"""

from __future__ import annotations

from recon.matching import comparison_levels as cl
from recon.matching.comparison_levels import Level
from recon.matching.comparisons import Comparison, DateComparison


class IdNumberComparison(Comparison):
    """Resident ID numbers (公民身份号码) and other document numbers.

    Levels: null (missing on either side) · exact · near (one substitution or one adjacent
    transposition: a typo, which the MOD 11-2 check character always exposes) ·
    masked_compatible (one or both masked, e.g. ``341221********1234``, and every character
    visible on both sides agrees) · different (differs, at least one side not a valid number,
    or masks that disagree) · valid_different (both valid resident IDs, different: two people).
    """

    default_m = (0.93, 0.03, 0.03, 0.008, 0.002)

    def __init__(
        self,
        name: str = "id_number",
        id_col: str = "id_norm",
        pattern_col: str = "id_pattern",
        valid_col: str = "id_valid",
    ):
        super().__init__(name, id_col=id_col, pattern_col=pattern_col, valid_col=valid_col)

    def create_null_level(self) -> Level:
        return cl.NullLevel("null", "ID number missing on either side", cols=(self.params["pattern_col"],))

    def create_levels(self) -> list[Level]:
        p = self.params
        return [
            cl.ExactLevel("exact", "same number", col=p["id_col"]),
            cl.DistanceLevel(
                "near",
                "one substitution or adjacent transposition",
                col=p["id_col"],
                metric="osa",
                max_distance=1,
            ),
            cl.PredicateLevel(
                "masked_compatible",
                "masked, visible characters agree",
                col=p["pattern_col"],
                metric="mask_compatible",
            ),
            cl.BothFlagLevel(
                "valid_different", "both valid and different", col=p["id_col"], flag_col=p["valid_col"]
            ),
            cl.ElseLevel("different", "different (not both valid), or masks disagree"),
        ]


class NameComparison(Comparison):
    """Person names, Chinese (look-alike, traditional and homophone variants) or Latin script.

    Levels: null · exact (as written; term-frequency adjusted, so 王伟 is weak evidence and a
    rare name strong) · simplified (equal after cleaning and traditional→simplified, TF
    adjusted) · pinyin (equal toneless pinyin: 张伟/章伟, TF adjusted) · lookalike (equal after
    folding look-alike characters: 己/已, 未/末) · one_char (one character inserted, deleted
    or substituted) · jw_0.90 / jw_0.80 (Jaro–Winkler of the pinyin) · else.
    """

    default_m = (0.8, 0.03, 0.06, 0.02, 0.05, 0.02, 0.01, 0.01)

    def __init__(self, name: str = "name", prefix: str = "name"):
        super().__init__(name, prefix=prefix)

    def _c(self, suffix: str) -> str:
        return f"{self.params['prefix']}_{suffix}"

    def create_null_level(self) -> Level:
        return cl.NullLevel("null", "name missing on either side", cols=(self._c("norm"),))

    def create_levels(self) -> list[Level]:
        clean, norm, py, look = self._c("clean"), self._c("norm"), self._c("pinyin"), self._c("lookalike")
        return [
            cl.ExactLevel("exact", "identical as written", tf_col=norm, col=clean),
            cl.ExactLevel(
                "simplified", "equal after cleaning and traditional→simplified", tf_col=norm, col=norm
            ),
            cl.ExactLevel("pinyin", "same toneless pinyin (homophone)", tf_col=py, col=py),
            cl.ExactLevel("lookalike", "equal after folding look-alike characters", col=look),
            cl.DistanceLevel(
                "one_char",
                "one character inserted, deleted or substituted",
                col=norm,
                metric="levenshtein",
                max_distance=1,
            ),
            cl.SimilarityLevel("jw_0.90", "pinyin Jaro–Winkler ≥ 0.90", col=py, min_similarity=0.90),
            cl.SimilarityLevel("jw_0.80", "pinyin Jaro–Winkler ≥ 0.80", col=py, min_similarity=0.80),
            cl.ElseLevel("else", "different names"),
        ]


class PhoneComparison(Comparison):
    """Phone numbers after normalization.

    Levels: null · exact_mobile (same mobile number) · exact_other (same landline or other
    number: often a household or employer line) · near (one digit substituted or two adjacent
    digits transposed) · else.
    """

    default_m = (0.6, 0.05, 0.03, 0.32)

    def __init__(self, name: str = "phone", col: str = "phone_norm", mobile_col: str = "phone_mobile"):
        super().__init__(name, col=col, mobile_col=mobile_col)

    def create_null_level(self) -> Level:
        return cl.NullLevel("null", "phone missing on either side", cols=(self.params["col"],))

    def create_levels(self) -> list[Level]:
        c, mob = self.params["col"], self.params["mobile_col"]
        return [
            cl.ExactLevel("exact_mobile", "same mobile number", col=mob),
            cl.ExactLevel("exact_other", "same other number", col=c),
            cl.DistanceLevel("near", "one digit off or two transposed", col=c, metric="osa", max_distance=1),
            cl.ElseLevel("else", "different numbers"),
        ]


class BirthDateComparison(DateComparison):
    """Birth dates (stated, else read from the ID number), YYYYMMDD.

    Levels: null · exact · typo (one digit or adjacent transposition) · day_month_swap · else.
    """

    def __init__(self, name: str = "birth_date", col: str = "birth"):
        Comparison.__init__(self, name, col=col)


class GenderComparison(Comparison):
    """Gender (stated, else read from the ID number).

    Levels: null · same · different.
    """

    default_m = (0.98, 0.02)

    def __init__(self, name: str = "gender", col: str = "gender"):
        super().__init__(name, col=col)

    def create_null_level(self) -> Level:
        return cl.NullLevel("null", "gender missing on either side", cols=(self.params["col"],))

    def create_levels(self) -> list[Level]:
        c = self.params["col"]
        return [cl.ExactLevel("same", "same gender", col=c), cl.ElseLevel("different", "different gender")]


class DwellingComparison(Comparison):
    """Where the record places the person, at the finest level both records resolve to.

    Levels: null (no common level resolved) · same_dwelling · building_partial (same building,
    one address resolved only to the building) · community_partial (same community, one side's
    building unknown) · same_building (different dwellings of one building) · same_community
    (different buildings of one community) · else.

    Levels that agree as far as both addresses go rank above levels that disagree at a finer
    level: a grid worker's "天榆小区2幢" is consistent with room 302 of that building, whereas
    rooms 302 and 1101 are two places (the person moved, or it is someone else).
    """

    default_m = (0.6, 0.05, 0.05, 0.05, 0.05, 0.2)

    def __init__(
        self,
        name: str = "dwelling",
        dwelling_col: str = "dwelling",
        building_col: str = "building",
        community_col: str = "community",
    ):
        super().__init__(
            name, dwelling_col=dwelling_col, building_col=building_col, community_col=community_col
        )

    def create_null_level(self) -> Level:
        p = self.params
        return cl.NullLevel(
            "null",
            "no address level resolved on both sides",
            cols=(p["dwelling_col"], p["building_col"], p["community_col"]),
        )

    def create_levels(self) -> list[Level]:
        p = self.params
        d, b, c = p["dwelling_col"], p["building_col"], p["community_col"]
        return [
            cl.ExactLevel("same_dwelling", "same standard-address dwelling", col=d),
            cl.PartialLevel("building_partial", "same building, a dwelling unknown", col=b, finer_col=d),
            cl.PartialLevel("community_partial", "same community, a building unknown", col=c, finer_col=b),
            cl.ExactLevel("same_building", "different dwellings of the same building", col=b),
            cl.ExactLevel("same_community", "different buildings of the same community", col=c),
            cl.ElseLevel("else", "different places"),
        ]


class HukouAreaComparison(Comparison):
    """Hukou area code (the ID number's first six digits, visible in most masks too).

    Levels: null · same_county · same_prefecture · same_province · else.
    """

    default_m = (0.95, 0.02, 0.01, 0.02)

    def __init__(
        self,
        name: str = "hukou_area",
        county_col: str = "hukou_county",
        prefecture_col: str = "hukou_prefecture",
        province_col: str = "hukou_province",
    ):
        super().__init__(
            name, county_col=county_col, prefecture_col=prefecture_col, province_col=province_col
        )

    def create_null_level(self) -> Level:
        return cl.NullLevel("null", "area unknown on either side", cols=(self.params["province_col"],))

    def create_levels(self) -> list[Level]:
        p = self.params
        return [
            cl.ExactLevel("same_county", "same county", col=p["county_col"]),
            cl.ExactLevel("same_prefecture", "same prefecture", col=p["prefecture_col"]),
            cl.ExactLevel("same_province", "same province", col=p["province_col"]),
            cl.ElseLevel("else", "different provinces"),
        ]
