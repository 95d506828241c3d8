"""Server-side SVG charts (no JavaScript, nothing downloaded): weights, rates against targets, trends."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

FONT = 'font-family="Microsoft YaHei, WenQuanYi Micro Hei, Noto Sans CJK SC, sans-serif" font-size="12"'
GOOD, BAD, GREY, INK = "#2e7d32", "#c62828", "#9e9e9e", "#263238"


def _svg(width: int, height: int, body: list[str], title: str) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title)}" {FONT}><title>{escape(title)}</title>{"".join(body)}</svg>'
    )


def weights_chart(prior: float, steps: list[dict], labels: dict[str, str], title: str) -> Markup:
    """One bar per comparison (log2 Bayes factor), from a zero line; the prior and total as text."""
    width, left, row = 560, 150, 22
    height = row * (len(steps) + 2) + 10
    span = max([abs(s["weight"]) for s in steps] + [1.0])
    mid = left + (width - left - 60) / 2
    scale = (width - left - 70) / 2 / span
    body = [f'<line x1="{mid}" y1="4" x2="{mid}" y2="{height - 4}" stroke="{GREY}" stroke-dasharray="3,3"/>']
    total = prior
    for i, s in enumerate(steps):
        y = 8 + i * row
        w = float(s["weight"])
        total += w
        x = mid if w >= 0 else mid + w * scale
        color = GOOD if w > 0 else (BAD if w < 0 else GREY)
        name = labels.get(s["comparison"], s["comparison"])
        body.append(
            f'<text x="{left - 8}" y="{y + 14}" text-anchor="end" fill="{INK}">{escape(name)}</text>'
            f'<rect x="{x:.1f}" y="{y + 3}" width="{max(abs(w) * scale, 1):.1f}" height="{row - 8}" fill="{color}">'
            f"<title>{escape(name)}：{escape(str(s.get('level')))}（{escape(str(s.get('description') or ''))}）"
            f" 权重 {w:+.2f}</title></rect>"
            f'<text x="{(mid + w * scale + 4) if w >= 0 else (mid + w * scale - 4):.1f}" y="{y + 14}" '
            f'text-anchor="{"start" if w >= 0 else "end"}" fill="{INK}">{w:+.1f}</text>'
        )
    y = 8 + len(steps) * row + 16
    body.append(
        f'<text x="{left - 8}" y="{y}" text-anchor="end" fill="{INK}">先验 {prior:+.1f}</text>'
        f'<text x="{mid}" y="{y}" text-anchor="middle" fill="{INK}" font-weight="bold">合计匹配权重 {total:+.1f}</text>'
    )
    return _svg(width, height + 12, body, title)


def rate_bars(rows: list[dict], target: float, higher_is_better: bool, title: str) -> Markup:
    """Horizontal bars of a rate per unit with the target as a line; bars that miss it in red."""
    width, left, row = 560, 120, 20
    height = row * len(rows) + 28
    plot = width - left - 60
    body = []
    for i, r in enumerate(rows):
        y = 6 + i * row
        v = float(r["value"] or 0)
        ok = v >= target if higher_is_better else v <= target
        body.append(
            f'<text x="{left - 6}" y="{y + 13}" text-anchor="end" fill="{INK}">{escape(str(r["unit"]))}</text>'
            f'<rect x="{left}" y="{y + 3}" width="{max(v * plot, 1):.1f}" height="{row - 7}" fill="{GOOD if ok else BAD}">'
            f"<title>{escape(str(r['unit']))}：{v:.1%}（{r.get('numerator', '')}/{r.get('denominator', '')}）</title></rect>"
            f'<text x="{left + v * plot + 4:.1f}" y="{y + 13}" fill="{INK}">{v:.1%}</text>'
        )
    tx = left + target * plot
    body.append(
        f'<line x1="{tx:.1f}" y1="2" x2="{tx:.1f}" y2="{height - 16}" stroke="{INK}" stroke-width="1.5" stroke-dasharray="4,2"/>'
        f'<text x="{tx:.1f}" y="{height - 4}" text-anchor="middle" fill="{INK}">目标 {target:.0%}</text>'
    )
    return _svg(width, height, body, title)


def trend_chart(
    points: list[tuple[str, float]], target: float | None, title: str, *, percent: bool = True
) -> Markup:
    """A line over past runs (label, value); the target as a dashed line."""
    width, height, left, bottom = 560, 180, 50, 30
    if not points:
        return _svg(
            width,
            40,
            [f'<text x="10" y="24" fill="{GREY}">尚无历史数据（每次夜间发布后自动累积）</text>'],
            title,
        )
    values = [v for _, v in points] + ([target] if target is not None else [])
    lo, hi = min(values), max(values)
    if percent:
        lo, hi = max(0.0, lo - 0.05), min(1.0, hi + 0.05)
    if hi - lo < 1e-9:
        hi = lo + 1
    pw, ph = width - left - 20, height - bottom - 10

    def xy(i: int, v: float) -> tuple[float, float]:
        x = left + (pw * i / max(len(points) - 1, 1) if len(points) > 1 else pw / 2)
        return x, 10 + ph * (1 - (v - lo) / (hi - lo))

    fmt = (lambda v: f"{v:.0%}") if percent else (lambda v: f"{v:,.0f}")
    body = [
        f'<line x1="{left}" y1="{10 + ph}" x2="{width - 20}" y2="{10 + ph}" stroke="{GREY}"/>',
        f'<text x="{left - 4}" y="{14}" text-anchor="end" fill="{INK}">{fmt(hi)}</text>',
        f'<text x="{left - 4}" y="{10 + ph}" text-anchor="end" fill="{INK}">{fmt(lo)}</text>',
    ]
    if target is not None:
        _, ty = xy(0, target)
        body.append(
            f'<line x1="{left}" y1="{ty:.1f}" x2="{width - 20}" y2="{ty:.1f}" stroke="{BAD}" stroke-dasharray="4,3"/>'
            f'<text x="{width - 22}" y="{ty - 3:.1f}" text-anchor="end" fill="{BAD}">目标 {fmt(target)}</text>'
        )
    coords = [xy(i, v) for i, (_, v) in enumerate(points)]
    body.append(
        f'<polyline fill="none" stroke="#1565c0" stroke-width="2" points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in coords)}"/>'
    )
    step = max(1, len(points) // 8)
    for i, ((label, v), (x, y)) in enumerate(zip(points, coords, strict=True)):
        body.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#1565c0"><title>{escape(label)}：{fmt(v)}</title></circle>'
        )
        if i % step == 0 or i == len(points) - 1:
            body.append(
                f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle" fill="{INK}">{escape(label)}</text>'
            )
    return _svg(width, height, body, title)


def stacked_bars(rows: list[dict], series: list[tuple[str, str, str]], title: str) -> Markup:
    """Stacked horizontal bars: rows have 'unit' and one count per series key (key, label, colour)."""
    width, left, row = 560, 120, 22
    height = row * len(rows) + 34
    top = max([sum(int(r.get(k) or 0) for k, _, _ in series) for r in rows] + [1])
    plot = width - left - 60
    body = []
    for i, r in enumerate(rows):
        y = 4 + i * row
        x = float(left)
        body.append(
            f'<text x="{left - 6}" y="{y + 14}" text-anchor="end" fill="{INK}">{escape(str(r["unit"]))}</text>'
        )
        for key, label, colour in series:
            n = int(r.get(key) or 0)
            w = n / top * plot
            if n:
                body.append(
                    f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{row - 7}" fill="{colour}">'
                    f"<title>{escape(str(r['unit']))} {escape(label)}：{n:,}</title></rect>"
                )
            x += w
        body.append(
            f'<text x="{x + 4:.1f}" y="{y + 14}" fill="{INK}">{sum(int(r.get(k) or 0) for k, _, _ in series):,}</text>'
        )
    lx = left
    for _, label, colour in series:
        body.append(
            f'<rect x="{lx}" y="{height - 18}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{lx + 14}" y="{height - 9}" fill="{INK}">{escape(label)}</text>'
        )
        lx += 24 + 12 * len(label)
    return _svg(width, height, body, title)
