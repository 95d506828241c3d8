"""What a drop file's name says: the date it covers, and for community rosters the community and quarter."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from recon.connectors.cells import fold_text

DATA_EXTENSIONS = (".csv", ".xlsx")

# Years outside this window in a file name are more likely an ID or a code than a date.
_YEARS = range(1990, 2101)

# Longest forms first; digit runs must not be part of a longer number (an ID, a district code).
_DATE_PATTERNS = (
    re.compile(r"(?<!\d)(\d{4})[-_.](\d{1,2})[-_.](\d{1,2})(?!\d)"),
    re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)"),
    re.compile(r"(?<!\d)(\d{4})[-_.](\d{1,2})(?![\d])"),
    re.compile(r"(?<!\d)(\d{4})(\d{2})(?!\d)"),
)

_ROSTER_NAME = re.compile(
    r"^(?P<community>.+?)_(?P<year>\d{4})[Qq](?P<q>[1-4])\.(?P<ext>xlsx|csv)$", re.IGNORECASE
)

ROSTER_NAME_HINT = "<社区>_<YYYY>Q<n>.xlsx (or .csv), e.g. 三墩社区_2026Q3.xlsx"


def _valid(year: int, month: int, day: int) -> date | None:
    if year not in _YEARS:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def date_in_name(name: str) -> date | None:
    """The latest valid date written in a file name (YYYYMMDD, YYYY-MM-DD, YYYY_MM_DD, YYYY-MM, YYYYMM).

    A month alone counts as its first day. When a name carries several dates (a period and an
    export date), the latest one orders the file.
    """
    stem = fold_text(name)
    found: list[date] = []
    taken: list[tuple[int, int]] = []
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(stem):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue  # already read as part of a longer date form
            parts = [int(g) for g in m.groups()]
            d = _valid(parts[0], parts[1], parts[2] if len(parts) == 3 else 1)
            if d is not None:
                found.append(d)
                taken.append((m.start(), m.end()))
    return max(found) if found else None


@dataclass(frozen=True)
class RosterName:
    """The parts of a community roster file name."""

    community: str
    year: int
    q: int

    @property
    def quarter(self) -> str:
        return f"{self.year}Q{self.q}"

    @property
    def quarter_start(self) -> date:
        return date(self.year, 3 * self.q - 2, 1)


def parse_roster_name(name: str) -> RosterName | None:
    """`<社区>_<YYYY>Q<n>.xlsx|.csv` → its parts; None when the name does not follow the pattern."""
    m = _ROSTER_NAME.match(fold_text(name).strip())
    if m is None:
        return None
    community = m.group("community").strip()
    if not community or int(m.group("year")) not in _YEARS:
        return None
    return RosterName(community=community, year=int(m.group("year")), q=int(m.group("q")))
