"""What a case page shows: the finding, the registry record, every evidence record side by side,
the match explanation per comparison, and the suggested dwelling."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache

from recon.connectors.contract import FEEDS
from recon.review.labels import level_description
from recon.warehouse.published import Snapshot

REGISTRY = "police_registry"

# the date that says when a record's fact held, per feed (evidence start is preferred)
DATE_COLUMN = {
    "police_registry": "registered_on",
    "intermediary_lease": "lease_start",
    "property_lease": "lease_start",
    "public_rental_lease": "lease_start",
    "employer_roster": "start_date",
    "site_roster": "start_date",
    "grid_visit": "visit_date",
    "self_declaration": "residence_start",
    "community_roster": None,
}
# what else a record says that a reviewer needs (header label from the contract)
DETAIL_COLUMNS = {
    "police_registry": (
        "registration_id",
        "std_address_code",
        "deregistered_on",
        "permit_number",
        "collector",
    ),
    "intermediary_lease": ("agency_name", "lease_end", "moved_out_on", "declared_on"),
    "property_lease": ("agency_name", "lease_end", "moved_out_on", "declared_on"),
    "public_rental_lease": ("agency_name", "lease_end", "moved_out_on", "declared_on"),
    "employer_roster": ("employer_name", "end_date", "lodging", "declared_on"),
    "site_roster": ("project_name", "end_date", "lodging"),
    "grid_visit": ("visit_result", "grid_worker", "person_category"),
    "self_declaration": ("declaration_type", "declared_on"),
    "community_roster": ("person_category", "remark"),
}


def header(source: str, column: str) -> str:
    for c in FEEDS[source].columns:
        if c.name == column:
            return c.header
    return column


@dataclass
class CaseData:
    finding: dict
    evidence: dict
    registry: list[dict] = field(default_factory=list)
    records: list[dict] = field(default_factory=list)
    explanation: list[dict] = field(default_factory=list)  # one per pair shown
    suggested: dict | None = None


def _details(source: str, raw: str | None) -> list[tuple[str, object]]:
    got = json.loads(raw) if raw else {}
    return [(header(source, k), v) for k, v in got.items() if v not in (None, "")]


@lru_cache(maxsize=8)
def _model(model_json: str):  # noqa: ANN202 - LinkageModel, imported lazily
    from recon.matching.fellegi_sunter import LinkageModel

    return LinkageModel.from_json(model_json)


def _stored_waterfalls(snap: Snapshot, flag_id: str, model, limit: int = 3) -> list[dict]:  # noqa: ANN001
    """The run's own waterfalls of the pairs behind this finding (`pair_explanation`, when the
    published file has it): step 0 is the prior, then one row per comparison."""
    rows = snap.rows("SELECT * FROM pe WHERE flag_id = ?", [flag_id])
    pairs: dict[tuple, dict] = {}
    for r in rows:
        key = (r["source_l"], r["record_id_l"], r["source_r"], r["record_id_r"])
        p = pairs.setdefault(
            key,
            {
                "record_l": f"{key[0]}:{key[1]}",
                "record_r": f"{key[2]}:{key[3]}",
                "prior": model.prior_weight,
                "steps": [],
                "match_weight": float(r.get("match_weight") or 0),
                "match_probability": float(r.get("match_probability") or 0),
                "linked": bool(r.get("linked")),
                "direct": bool(r.get("own_record")),
                "_order": len(pairs),
            },
        )
        if int(r["step"]) == 0:
            p["prior"] = float(r["weight"])
        else:
            p["steps"].append(
                {
                    "step": int(r["step"]),
                    "comparison": r["comparison"],
                    "level": r["level"] or "null",
                    "description": level_description(r["comparison"], r["level"]),
                    "weight": float(r["weight"] or 0),
                }
            )
    out = sorted(
        pairs.values(), key=lambda p: (not p["direct"], not p["linked"], -p["match_weight"], p["_order"])
    )
    for p in out:
        p["steps"].sort(key=lambda s: s["step"])
    return out[:limit]


def explanation_for(
    snap: Snapshot,
    flag_id: str,
    person_id: str | None,
    subject: tuple[str, str],
    wanted: list[tuple[str, str]],
) -> list[dict]:
    """Stored pair explanations (the run's own weights) of the finding's record: against the
    records that prove its cause when the run compared them directly, else its strongest pairs."""
    if not person_id or not snap.has_table("linkage_model"):
        return []
    model_json = snap.cache.get("model_json")
    if model_json is None:
        model_json = snap.scalar("SELECT model_json FROM pub.linkage_model LIMIT 1") or ""
        snap.cache["model_json"] = model_json
    if not model_json:
        return []
    model = _model(model_json)
    if snap.has_table("pair_explanation"):
        stored = _stored_waterfalls(snap, flag_id, model)
        if stored:
            return stored
    pairs = snap.rows("SELECT * FROM lp WHERE person_id = ? ORDER BY match_weight DESC", [person_id])
    if not pairs:
        return []

    def ends(p: dict) -> set[tuple[str, str]]:
        return {(p["source_l"], p["record_id_l"]), (p["source_r"], p["record_id_r"])}

    direct = [p for p in pairs if subject in ends(p) and ends(p) & set(wanted)]
    chosen = direct or [p for p in pairs if subject in ends(p)][:2] or pairs[:1]
    from recon.matching.explain import explain_stored

    out = []
    for p in chosen[:3]:
        exp = explain_stored(p, model)
        out.append(
            {
                "record_l": exp.record_l,
                "record_r": exp.record_r,
                "prior": exp.prior_weight,
                "steps": [
                    {
                        "comparison": st.comparison,
                        "level": st.level,
                        "description": level_description(st.comparison, st.level),
                        "weight": st.weight,
                    }
                    for st in exp.steps
                ],
                "match_weight": float(p["match_weight"]),
                "match_probability": float(p["match_probability"]),
                "linked": bool(p["linked"]),
                "direct": subject in ends(p),
            }
        )
    return out


def load_case(snap: Snapshot, finding: dict) -> CaseData:
    ev = json.loads(finding["evidence"]) if finding.get("evidence") else {}
    case = CaseData(finding=finding, evidence=ev)
    links = (
        snap.rows("SELECT * FROM recs WHERE person_id = ?", [finding["person_id"]])
        if finding.get("person_id")
        else []
    )
    subject = (finding["source"], finding["record_id"])
    if not any((r["source"], r["record_id"]) == subject for r in links):
        links += snap.rows(
            "SELECT am.source, am.record_id, am.address_raw, am.std_address_code, am.status AS address_status, "
            "am.confidence, sa.standard_address FROM pub.address_match am "
            "LEFT JOIN sa ON sa.address_code = am.std_address_code "
            "WHERE am.source = ? AND am.record_id = ?",
            [finding["source"], finding["record_id"]],
        )
    current = ev.get("current_evidence")
    for r in links:
        rec = dict(r)
        rec["date"] = rec.get("start") or rec.get("date")
        rec["details"] = _details(r["source"], r.get("details"))
        rec["key"] = f"{r['source']}:{r['record_id']}"
        rec["is_subject"] = (r["source"], r["record_id"]) == subject
        rec["is_current"] = rec["key"] == current
        (case.registry if r["source"] == REGISTRY else case.records).append(rec)
    case.registry.sort(key=lambda r: (not r["is_subject"], str(r.get("date") or "")))
    case.records.sort(key=lambda r: (not r["is_current"], str(r.get("date") or "")), reverse=False)
    case.records.sort(key=lambda r: str(r.get("date") or ""), reverse=True)
    case.records.sort(key=lambda r: not r["is_current"])
    wanted = []
    if current:
        s, _, r = current.partition(":")
        wanted.append((s, r))
    regs = ev.get("registrations")
    if isinstance(regs, list):
        wanted += [(REGISTRY, x) for x in regs if (REGISTRY, x) != subject]
    case.explanation = explanation_for(snap, finding["flag_id"], finding.get("person_id"), subject, wanted)
    case.suggested = suggested_dwelling(snap, finding, ev)
    return case


def suggested_dwelling(snap: Snapshot, finding: dict, ev: dict) -> dict | None:
    """For address findings: where the evidence says the person lives (or the dwelling the written
    registry address resolves to, when only the held code is wrong)."""
    if finding["flag_type"] != "address_inaccurate":
        return None
    code = ev.get("current_dwelling") or ev.get("registry_dwelling")
    why = "最新证据显示的现住地址" if ev.get("current_dwelling") else "登记地址文字解析出的标准地址"
    if not code:
        return None
    got = lookup_dwellings(snap, [code])
    return {**got[0], "why": why} if got else {"address_code": code, "standard_address": None, "why": why}


def lookup_dwellings(snap: Snapshot, codes: list[str]) -> list[dict]:
    if not codes:
        return []
    return snap.rows(
        "SELECT address_code, standard_address, street, community, police_station "
        f"FROM sa WHERE address_code IN ({', '.join('?' * len(codes))})",
        codes,
    )


def search_dwellings(snap: Snapshot, text: str, limit: int = 20) -> list[dict]:
    """Standard addresses containing every space-separated term (or an exact code)."""
    terms = [t for t in text.replace("　", " ").split() if t][:6]
    if not terms:
        return []
    if len(terms) == 1 and terms[0].isdigit() and len(terms[0]) >= 12:
        return lookup_dwellings(snap, [terms[0]])
    cond = " AND ".join("standard_address LIKE ?" for _ in terms)
    return snap.rows(
        "SELECT address_code, standard_address, street, community, police_station "
        f"FROM sa WHERE {cond} ORDER BY length(standard_address), address_code LIMIT ?",
        [*[f"%{t}%" for t in terms], limit],
    )
