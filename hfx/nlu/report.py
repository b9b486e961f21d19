"""Markdown and HTML renderings of an :class:`~hfx.nlu.evaluate.Evaluation` (plain strings, no terminal).

The HTML report is one self-contained file (inline CSS and SVG, no scripts, nothing fetched): it opens offline.
"""

from __future__ import annotations

from html import escape

from hfx.nlu.evaluate import Evaluation

#: Rows of the confusion tables in the reports.
TOP_CONFUSIONS = 20


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def _md(text: str) -> str:
    """A table cell: user text shown literally (no markup, no HTML, no column break)."""
    return (
        escape(text, quote=False)
        .replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("\n", " ")
        .replace("*", "\\*")
        .replace("_", "\\_")
        .replace("`", "\\`")
        .replace("[", "\\[")
    )


def to_markdown(ev: Evaluation, *, source: str = "") -> str:
    lines = [
        f"## hfx evaluate{': ' + _md(source) if source else ''}",
        "",
        "| metric | value |",
        "|---|---|",
        f"| method | {ev.method} |",
        f"| test examples | {ev.example_count} |",
        f"| accuracy | {_pct(ev.accuracy)} |",
        f"| macro-F1 | {_pct(ev.macro_f1)} |",
        "",
    ]
    head = ["| name | precision | recall | F1 | support |", "|---|---:|---:|---:|---:|"]
    lines += ["### Intents (worst first)", "", *head]
    lines += [f"| {_md(s.name)} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | {s.support} |" for s in ev.intents]
    if ev.confusions:
        lines += ["", "### Most confused", "", "| expected | predicted | count | examples |", "|---|---|---:|---|"]
        lines += [
            f"| {_md(c.expected_name)} | {_md(c.predicted_name)} | {c.count} | "
            f"{'; '.join(_md(t) for t in c.examples[:3])} |"
            for c in ev.confusions[:TOP_CONFUSIONS]
        ]
    if ev.entities:
        lines += ["", "### Entities", "", *head]
        lines += [
            f"| {_md(s.name)} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | {s.support} |" for s in ev.entities
        ]
    return "\n".join(lines) + "\n"


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#1d2330;max-width:80rem}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}
table{border-collapse:collapse;font-size:.9rem}th,td{padding:.25rem .6rem;border-bottom:1px solid #e3e6ec;
text-align:left;vertical-align:top}td.n{text-align:right;font-variant-numeric:tabular-nums}
.cards{display:flex;gap:1rem;flex-wrap:wrap}.card{border:1px solid #e3e6ec;border-radius:.5rem;padding:.7rem 1rem}
.card b{display:block;font-size:1.4rem}.bad{color:#b42318}.ok{color:#067647}.muted{color:#667085}
ul.ex{margin:0;padding-left:1rem}svg text{font-size:9px;fill:#344054}
"""


def _bar(value: float) -> str:
    cls = "bad" if value < 0.8 else "ok" if value >= 0.95 else ""
    return f'<td class="n {cls}">{value:.3f}</td>'


def _scores_table(rows: list, title: str) -> str:
    out = [
        f"<h2>{escape(title)}</h2><table><tr><th>name</th><th>precision</th><th>recall</th><th>F1</th>"
        "<th>support</th></tr>"
    ]
    for s in rows:
        out.append(
            f'<tr><td title="{escape(s.id)}">{escape(s.name)}</td>{_bar(s.precision)}{_bar(s.recall)}'
            f'{_bar(s.f1)}<td class="n">{s.support}</td></tr>'
        )
    out.append("</table>")
    return "".join(out)


def _confusion_svg(ev: Evaluation) -> str:
    """Row-normalised confusion matrix as an inline SVG heat map (rows: expected, columns: predicted)."""
    ids = sorted({e for e, _ in ev.matrix} | {p for _, p in ev.matrix if p}, key=lambda i: (ev.names.get(i, i), i))
    if not ids:
        return ""
    index = {i: n for n, i in enumerate(ids)}
    cell = max(4, min(18, 900 // len(ids)))
    label_w = 220
    size = cell * len(ids)
    totals = {i: sum(n for (e, _), n in ev.matrix.items() if e == i) for i in ids}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + size + 10}" height="{size + 10}" '
        f'role="img" aria-label="confusion matrix">'
    ]
    for i in ids:
        y = index[i] * cell
        if cell >= 8:
            name = ev.names.get(i, i)
            parts.append(
                f'<text x="{label_w - 4}" y="{y + cell * 0.75:.1f}" text-anchor="end">'
                f"{escape(name if len(name) <= 40 else name[:39] + '…')}</text>"
            )
    parts.append(f'<rect x="{label_w}" y="0" width="{size}" height="{size}" fill="#f9fafb" stroke="#d0d5dd"/>')
    for (e, p), n in sorted(ev.matrix.items()):
        if p not in index or not n:
            continue
        share = n / totals[e] if totals[e] else 0.0
        colour = f"rgba(6,118,71,{0.15 + 0.85 * share:.3f})" if e == p else f"rgba(180,35,24,{0.2 + 0.8 * share:.3f})"
        tip = f"{ev.names.get(e, e)} → {ev.names.get(p, p)}: {n}"
        parts.append(
            f'<rect x="{label_w + index[p] * cell}" y="{index[e] * cell}" width="{cell}" height="{cell}" '
            f'fill="{colour}"><title>{escape(tip)}</title></rect>'
        )
    parts.append("</svg>")
    return "".join(parts)


def to_html(ev: Evaluation, *, source: str = "") -> str:
    title = f"hfx evaluate{': ' + source if source else ''}"
    cards = "".join(
        f'<div class="card"><span class="muted">{k}</span><b>{v}</b></div>'
        for k, v in (
            ("accuracy", _pct(ev.accuracy)),
            ("macro-F1", _pct(ev.macro_f1)),
            ("test examples", ev.example_count),
            ("method", escape(ev.method)),
            ("intents", len(ev.intents)),
        )
    )
    confusions = ["<h2>Most confused pairs</h2>"]
    if ev.confusions:
        confusions.append("<table><tr><th>expected</th><th>predicted</th><th>count</th><th>examples</th></tr>")
        for c in ev.confusions[:TOP_CONFUSIONS]:
            examples = "".join(f"<li>{escape(t)}</li>" for t in c.examples)
            confusions.append(
                f"<tr><td>{escape(c.expected_name)}</td><td>{escape(c.predicted_name)}</td>"
                f'<td class="n">{c.count}</td><td><ul class="ex">{examples}</ul></td></tr>'
            )
        confusions.append("</table>")
    else:
        confusions.append("<p>No confusions: every test example got its own intent.</p>")
    body = [
        f"<h1>{escape(title)}</h1>",
        f'<div class="cards">{cards}</div>',
        _scores_table(ev.intents, "Intents (worst first)"),
        "".join(confusions),
        '<h2>Confusion matrix</h2><p class="muted">Rows: expected intent; columns: predicted intent '
        "(same order); colour: share of the row (green on the diagonal, red off it). Hover a cell for counts."
        "</p>",
        _confusion_svg(ev),
    ]
    if ev.entities:
        body.append(_scores_table(ev.entities, "Entities (exact spans)"))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1"><title>{escape(title)}</title>'
        f"<style>{_CSS}</style></head><body>{''.join(body)}</body></html>\n"
    )
