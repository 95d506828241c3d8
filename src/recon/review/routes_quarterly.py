"""Quarterly statement sign-off (村社人口数据对账, issue #7).

* community staff (role `community`) and the station's collector side (role `reviewer`: the
  专管员 belong to the police station) open their communities' statements, mark items resolved
  with a note, and confirm the statement once each;
* the community's confirmation freezes the quarter for that community: a second confirmation or
  any further change is refused with a Chinese message (409), a rerun makes a new version;
* the police station (reviewer / supervisor / admin) sees the confirmation status per community.

Statements are read from the version folders that `recon quarterly` registers in the
operational store (statement_items.parquet, statement_summary.parquet); the published DuckDB
file is not touched. Every view, resolution, confirmation and download is audited.
"""

from __future__ import annotations

import math
from pathlib import Path
from urllib.parse import quote

import polars as pl
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from recon.review.deps import client_of, csrf_session, ctx, current_session
from recon.review.errors import ReviewError, forbidden, not_found
from recon.review.sessions import Session
from recon.warehouse.ops_store import audit
from recon.warehouse.quarterly_store import (
    ROLES,
    SignOffRefused,
    confirm,
    frozen,
    open_quarterly_tables,
    resolutions,
    resolve_item,
    signoffs,
    versions,
)

router = APIRouter()

SECTIONS = ("信息不一致", "底册有、登记无", "登记有、底册无", "网格走访不符", "一致", "户籍人口")
PAGE = 100
SIGNING_ROLES = {"community": "community", "reviewer": "collector"}

STATUS_PAGE = """{% extends "base.html" %}
{% block title %}季度对账{% endblock %}
{% block main %}
<h1>村社人口数据对账 · {{ quarter or '尚无对账单' }}</h1>
{% if quarters %}<nav class="tabs small-tabs">{% for q in quarters %}<a href="/quarterly?quarter={{ q }}" class="{{ 'on' if q == quarter }}">{{ q }}</a>{% endfor %}</nav>{% endif %}
{% if version %}<p class="summary">最新版本 v{{ version.version }}（数据截至 {{ version.as_of }}，生成于 {{ version.created_at|dt }}）</p>{% endif %}
<table class="grid" id="quarterly-status">
<thead><tr><th>街道</th><th>社区</th><th>派出所</th><th>对账项</th><th>一致</th><th>底册有、登记无</th><th>登记有、底册无</th><th>信息不一致</th><th>已处理</th><th>社区确认</th><th>专管员确认</th></tr></thead>
<tbody>
{% for r in rows %}<tr data-community="{{ r.community }}">
<td>{{ r.street }}</td><td><a href="/quarterly/{{ quarter }}/{{ r.community|urlencode }}">{{ r.community }}</a></td><td>{{ r.police_station }}</td>
<td class="num">{{ r.n_items|num }}</td><td class="num">{{ r.c1|num }}</td><td class="num">{{ r.c2|num }}</td><td class="num">{{ r.c3|num }}</td><td class="num">{{ r.c4|num }}</td><td class="num">{{ r.resolved|num }}</td>
<td class="confirm-community">{{ r.community_confirmed or '未确认' }}</td><td class="confirm-collector">{{ r.collector_confirmed or '未确认' }}</td></tr>
{% else %}<tr><td colspan="11" class="empty">您的范围内没有对账单。请先运行 recon quarterly 生成。</td></tr>{% endfor %}
</tbody></table>
{% endblock %}
"""

STATEMENT_PAGE = """{% extends "base.html" %}
{% block title %}{{ community }} {{ quarter }} 对账单{% endblock %}
{% block main %}
<h1>{{ community }} · {{ quarter }} 对账单 <small>v{{ version }}</small></h1>
<p><a href="/quarterly?quarter={{ quarter }}">返回对账状态</a> · <a href="/quarterly/{{ quarter }}/{{ community|urlencode }}/workbook">下载本社区对账单（Excel，证件号已脱敏）</a></p>
{% if msg %}<div class="alert ok" id="msg">{{ msg }}</div>{% endif %}
{% if frozen_version %}<div class="alert ok" id="frozen">本季度已由社区确认（版本 v{{ frozen_version }}），对账单已冻结。</div>{% endif %}
<table class="grid small" id="signoffs"><tr><th>确认方</th><th>状态</th></tr>
{% for role, label in roles.items() %}<tr><td>{{ label }}</td><td class="signoff-{{ role }}">{{ signed.get(role) or '未确认' }}</td></tr>{% endfor %}</table>
{% if can_sign %}
<form method="post" action="/quarterly/{{ quarter }}/{{ community|urlencode }}/confirm" id="confirm-form">
<input type="hidden" name="csrf_token" value="{{ csrf }}"><input type="hidden" name="version" value="{{ version }}">
<label>确认说明 <input type="text" name="note" maxlength="500"></label>
<button type="submit" class="primary" id="confirm">以{{ roles[sign_role] }}身份确认对账单</button>
</form>
{% endif %}
<nav class="tabs small-tabs">{% for s, n in counts %}<a href="?section={{ s|urlencode }}" class="{{ 'on' if s == section }}">{{ s }}<span class="count">{{ n|num }}</span></a>{% endfor %}</nav>
<table class="grid" id="items">
<thead><tr><th>事项编号</th><th>姓名（底册/登记）</th><th>证件号码</th><th>联系电话</th><th>底册地址</th><th>登记地址</th><th>差异项</th><th>证据支持</th><th>建议处理</th><th>处理情况</th></tr></thead>
<tbody>
{% for r in rows %}<tr data-item="{{ r.item_id }}">
<td class="mono">{{ r.item_id }}</td>
<td>{{ r.roster_name or '—' }} / {{ r.registry_name or '—' }}</td>
<td class="mono">{{ (r.roster_id_number or r.registry_id_number)|mask_id }}</td>
<td class="mono">{{ (r.roster_phone or r.registry_phone)|mask_phone }}</td>
<td class="addr">{{ r.roster_address or '—' }}</td><td class="addr">{{ r.registry_address or '—' }}</td>
<td>{{ r.differences or '' }}</td><td>{{ r.evidence_supports or '' }}</td><td>{{ r.suggested_action or '' }}</td>
<td class="resolution">{% if r.resolved %}已处理：{{ r.resolved }}{% elif can_resolve %}
<form method="post" action="/quarterly/{{ quarter }}/{{ community|urlencode }}/resolve" class="inline">
<input type="hidden" name="csrf_token" value="{{ csrf }}"><input type="hidden" name="version" value="{{ version }}"><input type="hidden" name="item_id" value="{{ r.item_id }}">
<input type="text" name="note" placeholder="处理说明" maxlength="500" required><button type="submit">标记已处理</button></form>{% else %}—{% endif %}</td>
</tr>{% else %}<tr><td colspan="10" class="empty">本部分没有事项。</td></tr>{% endfor %}
</tbody></table>
{% if pages > 1 %}<nav class="pager">{% if page > 1 %}<a class="button" href="?section={{ section|urlencode }}&page={{ page - 1 }}">上一页</a>{% endif %} 第 {{ page }}/{{ pages }} 页 {% if page < pages %}<a class="button" href="?section={{ section|urlencode }}&page={{ page + 1 }}">下一页</a>{% endif %}</nav>{% endif %}
{% endblock %}
"""


def _engine(request: Request):  # noqa: ANN202
    engine = ctx(request).engine
    if not getattr(request.app.state, "quarterly_tables", False):
        open_quarterly_tables(engine)
        request.app.state.quarterly_tables = True
    return engine


def _render(request: Request, source: str, context: dict) -> Response:
    from fastapi.responses import HTMLResponse

    env = ctx(request).templates.env
    html = env.from_string(source).render(request=request, **context)
    return HTMLResponse(html)


def _version(engine, quarter: str, number: int | None = None) -> dict:  # noqa: ANN001
    rows = [v for v in versions(engine, quarter) if number is None or v["version"] == number]
    if not rows:
        raise not_found(f"{quarter} 对账单")
    return rows[-1]


def _summary(folder: str) -> pl.DataFrame:
    path = Path(folder) / "statement_summary.parquet"
    if not path.is_file():
        raise ReviewError(
            503, "statement_missing", "对账单文件缺失。", "请联系数据组重新运行 recon quarterly。"
        )
    return pl.read_parquet(path)


def _scope_row(row: dict) -> dict:
    return {
        "station": row.get("police_station"),
        "street": row.get("street"),
        "community": row.get("community"),
    }


def _community_row(user, summary: pl.DataFrame, community: str) -> dict:  # noqa: ANN001
    hit = summary.filter(pl.col("community") == community)
    if not hit.height:
        raise not_found("社区对账单")
    row = hit.row(0, named=True)
    if not user.may_see(_scope_row(row)):
        raise forbidden(f"{community}的对账单")
    return row


def _signed_text(sign: pl.DataFrame, community: str) -> dict[str, str]:
    out = {}
    for r in sign.filter(pl.col("community") == community).iter_rows(named=True):
        out[r["role"]] = f"已确认（v{r['version']}，{str(r['confirmed_at'])[:16]}）"
    return out


@router.get("/quarterly")
def status(request: Request, quarter: str = "", sess: Session = Depends(current_session)) -> Response:
    engine = _engine(request)
    allv = versions(engine)
    quarters = sorted({v["quarter"] for v in allv}, reverse=True)
    quarter = quarter or (quarters[0] if quarters else "")
    rows, version = [], None
    if quarter:
        version = _version(engine, quarter)
        summary = _summary(version["folder"])
        sign = signoffs(engine, quarter)
        done = resolutions(engine, quarter)
        n_done = (
            dict(done.group_by("community").agg(pl.col("item_id").n_unique()).iter_rows())
            if done.height
            else {}
        )
        for r in summary.sort("street", "community", nulls_last=True).iter_rows(named=True):
            if not sess.user.may_see(_scope_row(r)):
                continue
            signed = _signed_text(sign, r["community"])
            rows.append(
                {
                    **r,
                    "n_items": r["对账项"],
                    "c1": r["一致"],
                    "c2": r["底册有、登记无"],
                    "c3": r["登记有、底册无"],
                    "c4": r["信息不一致"],
                    "resolved": n_done.get(r["community"], 0),
                    "community_confirmed": signed.get("community"),
                    "collector_confirmed": signed.get("collector"),
                }
            )
    return _render(
        request,
        STATUS_PAGE,
        {"user": sess.user, "csrf": sess.csrf_token, "quarters": quarters, "quarter": quarter, "version": version,
         "rows": rows},
    )  # fmt: skip


@router.get("/quarterly/{quarter}/{community}")
def statement_page(
    request: Request,
    quarter: str,
    community: str,
    section: str = SECTIONS[0],
    page: int = 1,
    done: str = "",
    sess: Session = Depends(current_session),
) -> Response:
    engine = _engine(request)
    fro = frozen(engine, quarter).get(community)
    version = _version(engine, quarter, fro)  # a frozen quarter shows the confirmed version
    row = _community_row(sess.user, _summary(version["folder"]), community)
    items = pl.read_parquet(Path(version["folder"]) / "statement_items.parquet").filter(
        pl.col("community") == community
    )
    counts = [(s, items.filter(pl.col("section") == s).height) for s in SECTIONS]
    if section not in SECTIONS:
        section = SECTIONS[0]
    part = items.filter(pl.col("section") == section)
    pages = max(1, math.ceil(part.height / PAGE))
    page = min(max(1, page), pages)
    resolved = resolutions(engine, quarter, community)
    notes = {r["item_id"]: r["note"] for r in resolved.iter_rows(named=True)}
    rows = [
        {**r, "resolved": notes.get(r["item_id"])}
        for r in part.slice((page - 1) * PAGE, PAGE).iter_rows(named=True)
    ]
    if sess.user.masks_names:
        from recon.review.masking import mask_name

        rows = [
            {**r, "roster_name": mask_name(r["roster_name"]), "registry_name": mask_name(r["registry_name"])}
            for r in rows
        ]
    sign = _signed_text(signoffs(engine, quarter), community)
    sign_role = SIGNING_ROLES.get(sess.user.role)
    audit(
        engine,
        user_id=sess.user.user_id,
        action="quarterly:view",
        target=f"{quarter}/{community}",
        detail={"version": version["version"], "section": section, "page": page},
        client=client_of(request),
    )
    return _render(
        request,
        STATEMENT_PAGE,
        {
            "user": sess.user,
            "csrf": sess.csrf_token,
            "quarter": quarter,
            "community": community,
            "street": row.get("street"),
            "version": version["version"],
            "frozen_version": fro,
            "counts": counts,
            "section": section,
            "rows": rows,
            "page": page,
            "pages": pages,
            "roles": ROLES,
            "signed": sign,
            "sign_role": sign_role,
            "can_sign": bool(sign_role) and sign_role not in sign and not (fro and sign_role == "community"),
            "can_resolve": bool(sign_role) and not fro,
            "msg": DONE.get(done, ""),
        },
    )


def _signer(sess: Session) -> str:
    role = SIGNING_ROLES.get(sess.user.role)
    if not role:
        raise forbidden("确认或处理对账单（仅社区工作人员和派出所专管员可操作）")
    return role


DONE = {"confirmed": "已确认对账单。", "resolved": "事项已标记为已处理。"}


def _back(quarter: str, community: str, done: str, section: str = "") -> RedirectResponse:
    q = f"?done={done}" + (f"&section={quote(section)}" if section else "")
    return RedirectResponse(f"/quarterly/{quarter}/{quote(community)}{q}", status_code=303)


def _refused(e: SignOffRefused) -> ReviewError:
    return ReviewError(
        409, "statement_frozen", str(e), "如确有更正，请联系派出所重新生成新版本对账单并说明理由。"
    )


@router.post("/quarterly/{quarter}/{community}/confirm")
def confirm_statement(
    request: Request,
    quarter: str,
    community: str,
    version: int = Form(...),
    note: str = Form(""),
    sess: Session = Depends(csrf_session),
) -> Response:
    engine = _engine(request)
    role = _signer(sess)
    v = _version(engine, quarter, version)
    _community_row(sess.user, _summary(v["folder"]), community)
    try:
        confirm(
            engine, quarter=quarter, community=community, version=version, role=role, user_id=sess.user.user_id,
            note=note.strip(),
        )  # fmt: skip
    except SignOffRefused as e:
        audit(engine, user_id=sess.user.user_id, action="quarterly:confirm_refused", target=f"{quarter}/{community}",
              detail={"role": role, "version": version, "reason": str(e)}, client=client_of(request))  # fmt: skip
        raise _refused(e) from None
    return _back(quarter, community, "confirmed")


@router.post("/quarterly/{quarter}/{community}/resolve")
def resolve(
    request: Request,
    quarter: str,
    community: str,
    version: int = Form(...),
    item_id: str = Form(...),
    note: str = Form(""),
    sess: Session = Depends(csrf_session),
) -> Response:
    engine = _engine(request)
    _signer(sess)
    v = _version(engine, quarter, version)
    _community_row(sess.user, _summary(v["folder"]), community)
    items = pl.read_parquet(
        Path(v["folder"]) / "statement_items.parquet", columns=["item_id", "community", "section"]
    )
    hit = items.filter((pl.col("item_id") == item_id) & (pl.col("community") == community))
    if not hit.height:
        raise not_found("对账事项")
    try:
        resolve_item(
            engine, quarter=quarter, community=community, version=version, item_id=item_id, user_id=sess.user.user_id,
            note=note,
        )  # fmt: skip
    except SignOffRefused as e:
        raise _refused(e) from None
    return _back(quarter, community, "resolved", hit["section"][0])


@router.get("/quarterly/{quarter}/{community}/workbook")
def workbook(
    request: Request, quarter: str, community: str, sess: Session = Depends(current_session)
) -> Response:
    """The community's masked workbook of the version of record."""
    engine = _engine(request)
    version = _version(engine, quarter, frozen(engine, quarter).get(community))
    row = _community_row(sess.user, _summary(version["folder"]), community)
    folder = Path(version["folder"]) / "社区"
    hits = sorted(folder.rglob(f"{community}_{quarter}_对账单.xlsx"))
    if not hits:
        raise not_found("对账单文件")
    audit(engine, user_id=sess.user.user_id, action="export:quarterly_workbook", target=f"{quarter}/{community}",
          detail={"version": version["version"], "street": row.get("street"), "masked": True}, client=client_of(request))  # fmt: skip
    return FileResponse(
        hits[0],
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename=hits[0].name,
    )
