"""Export of confirmed address corrections (Excel and CSV) for entering into the police registry."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select

from recon.review.deps import client_of, ctx, current_session, snapshot
from recon.review.errors import forbidden
from recon.review.findings_index import STATUS_OF_ACTION
from recon.review.masking import mask_id
from recon.review.sessions import Session
from recon.warehouse.ops_store import audit, decisions, users
from recon.warehouse.published import Snapshot

router = APIRouter()

COLUMNS = [
    ("registration_id", "登记编号"),
    ("name", "姓名"),
    ("id_number", "证件号码（脱敏）"),
    ("police_station", "派出所"),
    ("community", "社区"),
    ("old_address", "原居住地址"),
    ("old_code", "原标准地址编码"),
    ("new_code", "更正后标准地址编码"),
    ("new_address", "更正后标准地址"),
    ("reason", "线索原因"),
    ("flag_id", "线索编号"),
    ("decided_by", "确认人"),
    ("decided_at", "确认时间"),
    ("note", "备注"),
]


def corrections(request: Request, sess: Session, snap: Snapshot) -> list[dict]:
    """The standing address corrections within the user's scope (latest status decision = correction)."""
    c = ctx(request)
    with c.engine.connect() as con:
        rows = con.execute(
            select(
                decisions.c.decision_id,
                decisions.c.flag_id,
                decisions.c.action,
                decisions.c.payload,
                decisions.c.created_at,
                users.c.display_name,
            )
            .join(users, users.c.user_id == decisions.c.user_id, isouter=True)
            .where(decisions.c.action.in_(list(STATUS_OF_ACTION)))
            .order_by(decisions.c.decision_id)
        ).all()
    latest: dict[str, dict] = {}
    for r in rows:
        latest[r.flag_id] = dict(r._mapping)
    standing = {f: d for f, d in latest.items() if d["action"] == "correct_address"}
    if not standing:
        return []
    scope, params = sess.user.scope_sql("q")
    ids = list(standing)
    found: list[dict] = []
    for i in range(0, len(ids), 5000):
        chunk = ids[i : i + 5000]
        found += snap.rows(
            f"""SELECT q.flag_id, q.reason, q.record_id, q.station, q.community, r.registration_id, r.name,
                       r.id_number, r.address AS old_address, r.std_address_code AS old_code
                FROM q LEFT JOIN pub.current_police_registry r ON q.source = 'police_registry' AND r.record_id = q.record_id
                WHERE {scope} AND q.flag_id IN ({", ".join("?" * len(chunk))})""",
            [*params, *chunk],
        )
    out = []
    for r in sorted(found, key=lambda r: (r["station"] or "", r["community"] or "", r["flag_id"])):
        d = standing[r["flag_id"]]
        after = (d["payload"] or {}).get("after") or {}
        out.append(
            {
                **r,
                "police_station": r["station"],
                "id_number": mask_id(r["id_number"]),
                "new_code": after.get("std_address_code"),
                "new_address": after.get("standard_address"),
                "decided_by": d["display_name"],
                "decided_at": d["created_at"].strftime("%Y-%m-%d %H:%M"),
                "note": (d["payload"] or {}).get("note") or "",
            }
        )
    return out


def _allowed(request: Request, sess: Session, kind: str, n: int) -> None:
    if not sess.user.can_export:
        raise forbidden("导出更正清单")
    audit(
        ctx(request).engine,
        user_id=sess.user.user_id,
        action="export",
        target=f"corrections.{kind}",
        detail={"rows": n},
        client=client_of(request),
    )


def _filename(kind: str) -> str:
    return f"attachment; filename*=UTF-8''%E5%9C%B0%E5%9D%80%E6%9B%B4%E6%AD%A3_{datetime.now():%Y%m%d}.{kind}"


@router.get("/export/corrections.csv")
def export_csv(
    request: Request, sess: Session = Depends(current_session), snap: Snapshot = Depends(snapshot)
) -> Response:
    if not sess.user.can_export:
        raise forbidden("导出更正清单")
    rows = corrections(request, sess, snap)
    _allowed(request, sess, "csv", len(rows))
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([h for _, h in COLUMNS])
    for r in rows:
        w.writerow(["" if r.get(k) is None else r.get(k) for k, _ in COLUMNS])
    # UTF-8 with BOM so that Excel on Chinese Windows opens it correctly
    return Response(
        "\ufeff" + buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": _filename("csv")},
    )


@router.get("/export/corrections.xlsx")
def export_xlsx(
    request: Request, sess: Session = Depends(current_session), snap: Snapshot = Depends(snapshot)
) -> Response:
    import xlsxwriter

    if not sess.user.can_export:
        raise forbidden("导出更正清单")
    rows = corrections(request, sess, snap)
    _allowed(request, sess, "xlsx", len(rows))
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False})
    ws = wb.add_worksheet("地址更正")
    head = wb.add_format({"bold": True, "bg_color": "#E3F2FD", "border": 1})
    text = wb.add_format({"num_format": "@"})
    for j, (_, h) in enumerate(COLUMNS):
        ws.write_string(0, j, h, head)
    for i, r in enumerate(rows, start=1):
        for j, (k, _) in enumerate(COLUMNS):
            v = r.get(k)
            ws.write_string(i, j, "" if v is None else str(v), text)  # codes stay text: no 3.3e+18
    widths = [24, 10, 22, 14, 14, 48, 22, 22, 48, 16, 18, 10, 18, 24]
    for j, wdt in enumerate(widths):
        ws.set_column(j, j, wdt)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(rows), 1), len(COLUMNS) - 1)
    wb.close()
    return Response(
        buf.getvalue(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": _filename("xlsx")},
    )
