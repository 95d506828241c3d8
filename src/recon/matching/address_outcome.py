"""What resolving one address produces, and the scratchpad the resolver writes it on."""

from __future__ import annotations

from dataclasses import dataclass, field

from recon.matching.address_index import AddressIndex
from recon.matching.address_parse import AddressParts

MAX_CANDIDATES = 10


@dataclass(frozen=True, slots=True)
class Resolution:
    """The outcome for one address: code (None unless a dwelling), status, confidence, reason."""

    code: str | None
    status: str  # exact / matched / partial / unmatched
    confidence: float
    reason: str
    candidates: tuple[str, ...] = ()
    trace: tuple[str, ...] = ()  # how it got there, for explain_address


@dataclass
class Work:
    """One resolution in progress: notes for the reason, a confidence, a trace for explanations."""

    parts: AddressParts
    ix: AddressIndex
    score: float = 0.98
    notes: list[str] = field(default_factory=list)
    trace: list[str] = field(default_factory=list)

    def note(self, text: str, factor: float = 1.0) -> None:
        if text not in self.notes:
            self.notes.append(text)
        self.score *= factor

    def done(self, code: str | None, status: str, reason: str, cands: list[str] | None = None) -> Resolution:
        if code and self.parts.stray:
            # A second, different building, unit or room number: the reading may be wrong.
            code, status, reason, cands = (
                None,
                "partial",
                f"地址中有多余的门牌楼栋号“{self.parts.stray}”",
                [code],
            )
        notes = [reason, *self.notes] if reason else list(self.notes)
        conf = 0.0 if status == "unmatched" else round(self.score * (1.0 if code else 0.5), 3)
        return Resolution(code, status, conf, "；".join(notes) or "地址要素一致",
                          tuple(sorted(cands or ())[:MAX_CANDIDATES]), tuple(self.trace))  # fmt: skip
