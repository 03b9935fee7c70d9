"""The attribution-quality benchmark's output: Markdown tables and one self-contained HTML page.

Why a hand-written SVG: the sidecar's environment has no plotting library and should not grow
one for a bar chart; the page must open anywhere without fetching anything. Pure functions of
the figures dict `quality.main` builds.
"""

from __future__ import annotations

import html as html_lib
import os

from .share_rules import PROPOSED_RULE

PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1")


def machine() -> str:
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{model}, {len(os.sched_getaffinity(0))} cores"


def _f(value: float, digits: int = 3) -> str:
    return f"{value:.{digits}f}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def _label(name: str, e: dict) -> str:
    if e.get("method") == "span":
        return f"{name} v{e['version']} (duplicates by {e['duplicates_by']})"
    version = f"v{e['version']}" if e["version"].isdigit() else e["version"]
    return f"{name} {version} ({e['dim']}d)"


def tables(figures: dict) -> str:
    """Every table, Markdown, ready for docs/BENCHMARKS.md."""
    meta, encoders = figures["meta"], figures["encoders"]
    rules = meta["rules"]
    out = [
        f"Corpus: {meta['contributions']:,} contributions ({meta['words_per_contribution']:.0f} words on average) in "
        f"{meta['datanets']} Datanets from the standard library of Python {meta['python']}"
        + "".join(f" and {d}" for d in meta.get("also", []))
        + f" (corpus v"
        f"{meta['corpus_version']}, digest {meta['corpus_digest'][:12]}); queries per kind: "
        + ", ".join(f"{k} {n:,}" for k, n in meta["queries"].items())
        + f"; topK {meta['top_k']}, duplicate bound {meta['duplicate_bound_ppm']:,} ppm; {meta['machine']}; "
        f"{meta['seconds']:.0f} s in all.\n",
    ]
    for t in meta["thresholds_ppm"]:
        rows = []
        for name, e in encoders.items():
            for kind, k in e["kinds"].items():
                rows.append([_label(name, e), kind, _f(k["recall_at_1"]), _f(k["recall_at_10"]), _f(k["mean_source_score"])]
                            + [_f(k["pool_to_source"][str(t)][r]) for r in rules])
        out.append(f"\n**Recall (topK 10, threshold 0) and pool-to-source (topK {meta['top_k']}, threshold {t:,} ppm), per share rule**\n\n")
        out.append(_table(["encoder", "queries", "recall@1", "recall@10", "source score"] + rules, rows))
    rows = []
    for name, e in encoders.items():
        mixed = e["kinds"].get("mixed")
        if mixed:
            for t in meta["thresholds_ppm"]:
                rows.append([_label(name, e), f"{t:,}"] + [_f(mixed["lesser_source_share"][str(t)][r]) for r in rules])
    if rows:
        out.append("\n**Mixed queries (half a span of each of two contributions): the share of the pool that the lesser-paid of the two sources gets (an even split: 0.5)**\n\n")
        out.append(_table(["encoder", "threshold ppm", *rules], rows))
    rows = []
    t = str(meta["thresholds_ppm"][0])
    for name, e in encoders.items():
        fm = e["farmer"]
        flagged = ", ".join(f"{edit} {share:.2f}" for edit, share in fm["flagged"].items())
        rows.append([_label(name, e), "all", flagged] + [_f(fm["farmer_share"][t][r], 4) for r in rules])
        for edit, shares in fm["by_edit"].items():
            rows.append([_label(name, e), edit, _f(fm["flagged"].get(edit, 0.0), 2)] + [_f(shares[r], 4) for r in rules])
    out.append(f"\n**Duplicate farmer: share of the pool of queries drawn from farmed originals that the farmer earns "
               f"(threshold {int(t):,} ppm; `flagged` = share of copies flagged as duplicates)**\n\n")
    out.append(_table(["encoder", "copy edit", "flagged", *rules], rows))
    rows = []
    for name, e in encoders.items():
        for bound, b in e["farmer"]["bounds"].items():
            rows.append([_label(name, e), f"{int(bound):,}", _f(b["copies_flagged"], 2), f"{b['honest_flagged']:,}"]
                        + [_f(b["farmer_share"][r], 4) for r in rules])
    out.append(f"\n**Duplicate bound sweep: the farmer's share at other bounds (threshold {int(t):,} ppm; honest = corpus "
               f"contributions whose best earlier match reaches the bound, of {meta['contributions']:,})**\n\n")
    out.append(_table(["encoder", "duplicate bound ppm", "copies flagged", "honest flagged", *rules], rows))
    rows = []
    for name, e in encoders.items():
        fm = e["farmer"]
        for what, q in [("honest (corpus)", fm["corpus_best_match_ppm"])] + [(f"copy: {k}", v) for k, v in fm["match_ppm"].items()]:
            if q:
                rows.append([_label(name, e), what] + [f"{q[p]:,}" for p in ("min", "p10", "p50", "p90", "p99", "max")])
    out.append("\n**Best earlier match at index time (ppm), honest contributions and the farmer's copies**\n\n")
    out.append(_table(["encoder", "contribution", "min", "p10", "p50", "p90", "p99", "max"], rows))
    rows = [[_label(name, e), _f(e["index_seconds"], 1), f"{e['contributions_per_s']:,.0f}", f"{e['queries_per_s']:,.0f}",
             f"{e['index_bytes'] / (1 << 20):,.1f}", f"{e['bytes_per_row']:,}", _f(e["gib_at_1m_rows"], 1),
             str(e["corpus_flagged_duplicates"])] for name, e in encoders.items()]
    out.append("\n**Cost**\n\n")
    out.append(_table(["encoder", "index build s", "contributions/s", "queries/s", "index MiB", "bytes/row",
                       "GiB at 1M rows", "corpus rows flagged as duplicates"], rows))
    rows = [[_label(name, e), f"{e['tokens']:,}", f"{e['segments']}", f"{e['vocabulary']:,}", _f(e["bytes_per_token"], 1),
             f"{e['index_bytes'] / (1 << 20):,.1f}", _f(e["span_index_seconds"], 1), f"{e['span_tokens_per_s']:,.0f}",
             _f(e["index_seconds"], 1), f"{e['queries_per_s']:,.0f}"]
            for name, e in encoders.items() if e.get("method") == "span"]
    if rows:
        out.append("\n**Span index (method span-match): the service's `index` builds it beside the embedding index of the "
                   "encoder that flags duplicates; `span build s` is the span index alone, `service index s` both**\n\n")
        out.append(_table(["method", "tokens", "segments", "vocabulary", "bytes/token", "index MiB", "span build s",
                           "tokens/s", "service index s", "queries/s"], rows))
    return "".join(out)


def bar_chart(title: str, groups: list[str], series: list[tuple[str, list[float]]], ymax: float = 1.0) -> str:
    """A grouped bar chart as an inline SVG: one group per label, one bar per series."""
    width, height, left, bottom, top = max(480, 90 * len(groups) + 160), 300, 50, 60, 30
    plot_w, plot_h = width - left - 150, height - bottom - top
    group_w = plot_w / max(1, len(groups))
    bar_w = group_w * 0.8 / max(1, len(series))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="11">',
             f'<text x="{left}" y="18" font-size="13" font-weight="bold">{html_lib.escape(title)}</text>']
    for i in range(6):
        v = ymax * i / 5
        y = top + plot_h - plot_h * v / ymax
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#ddd"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{v:.2f}</text>')
    for g, label in enumerate(groups):
        x0 = left + g * group_w + group_w * 0.1
        for s, (_, values) in enumerate(series):
            v = max(0.0, min(values[g], ymax))
            h = plot_h * v / ymax
            x = x0 + s * bar_w
            parts.append(f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w * 0.95:.1f}" height="{h:.1f}" '
                         f'fill="{PALETTE[s % len(PALETTE)]}"><title>{html_lib.escape(label)}: {values[g]:.4f}</title></rect>')
        parts.append(f'<text x="{left + g * group_w + group_w / 2:.1f}" y="{top + plot_h + 14}" text-anchor="middle" '
                     f'transform="rotate(20 {left + g * group_w + group_w / 2:.1f} {top + plot_h + 14})">{html_lib.escape(label)}</text>')
    for s, (name, _) in enumerate(series):
        y = top + 14 * s
        parts.append(f'<rect x="{left + plot_w + 10}" y="{y}" width="10" height="10" fill="{PALETTE[s % len(PALETTE)]}"/>'
                     f'<text x="{left + plot_w + 24}" y="{y + 9}">{html_lib.escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def charts(figures: dict) -> list[str]:
    meta, encoders = figures["meta"], figures["encoders"]
    names = list(encoders)
    kinds = list(next(iter(encoders.values()))["kinds"]) if encoders else []
    rules = meta["rules"]
    t = str(meta["thresholds_ppm"][0])
    main = "dropped" if "dropped" in kinds else (kinds[0] if kinds else "")
    chosen = PROPOSED_RULE if PROPOSED_RULE in rules else rules[0]
    bounds = list(next(iter(encoders.values()))["farmer"]["bounds"]) if encoders else []
    return [
        bar_chart("recall@1 per query kind", kinds, [(n, [encoders[n]["kinds"][k]["recall_at_1"] for k in kinds]) for n in names]),
        bar_chart(f"pool-to-source per share rule ({main} queries, topK {meta['top_k']}, threshold {int(t):,} ppm)", rules,
                  [(n, [encoders[n]["kinds"][main]["pool_to_source"][t][r] for r in rules]) for n in names]),
        bar_chart(f"duplicate farmer's share of the pool per share rule (duplicate bound {meta['duplicate_bound_ppm']:,} ppm)",
                  rules, [(n, [encoders[n]["farmer"]["farmer_share"][t][r] for r in rules]) for n in names],
                  ymax=_top([encoders[n]["farmer"]["farmer_share"][t][r] for n in names for r in rules])),
        bar_chart(f"duplicate farmer's share per duplicate bound (ppm), rule {chosen}", bounds,
                  [(n, [encoders[n]["farmer"]["bounds"][b]["farmer_share"][chosen] for b in bounds]) for n in names],
                  ymax=_top([encoders[n]["farmer"]["bounds"][b]["farmer_share"][chosen] for n in names for b in bounds])),
    ]


def _top(values: list[float]) -> float:
    """A round axis top above every value."""
    top = max(values, default=0.1)
    for step in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0):
        if top <= step:
            return step
    return top


def _markdown_to_html(markdown: str) -> str:
    """The tables and bold captions of `tables`, nothing more."""
    out, in_table = [], False
    for line in markdown.splitlines():
        if line.startswith("|"):
            cells = [html_lib.escape(c.strip()) for c in line.strip("|").split("|")]
            if set("".join(cells)) <= {"-"}:
                continue
            tag = "th" if not in_table else "td"
            if not in_table:
                out.append("<table>")
                in_table = True
            out.append("<tr>" + "".join(f"<{tag}>{c}</{tag}>" for c in cells) + "</tr>")
            continue
        if in_table:
            out.append("</table>")
            in_table = False
        if line.strip():
            text = html_lib.escape(line.strip())
            out.append(f"<h3>{text.strip('*')}</h3>" if text.startswith("**") else f"<p>{text}</p>")
    if in_table:
        out.append("</table>")
    return "\n".join(out)


def html(figures: dict, markdown: str) -> str:
    style = ("body{font-family:sans-serif;max-width:1200px;margin:2em auto}table{border-collapse:collapse;font-size:12px}"
             "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}td:first-child,td:nth-child(2){text-align:left}")
    return ("<!doctype html><html><head><meta charset='utf-8'><title>Attribution quality</title>"
            f"<style>{style}</style></head><body><h1>Attribution quality</h1>"
            + "".join(f"<div>{c}</div>" for c in charts(figures))
            + _markdown_to_html(markdown)
            + f"<p>Command: <code>{html_lib.escape(figures['meta']['command'])}</code></p></body></html>\n")
