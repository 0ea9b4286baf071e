"""`crm-conformance badge REPORT`: an SVG badge for a README, drawn from a report.json: the verdict, the
level and the MUST requirements covered (the flat style of shields.io, no external font or asset)."""

from __future__ import annotations

from html import escape
from typing import Any

COLOURS = {"conformant": "#2e8b57", "non-conformant": "#cf222e", "error": "#6e7781"}
CHARACTER_WIDTH = 6.5   # average advance of an 11 px Verdana character, in px
PADDING = 10


def badge_text(report: dict[str, Any]) -> tuple[str, str]:
    coverage = (report.get("coverage") or {}).get("must")
    right = f"{report['verdict']} · {report['level']}"
    if isinstance(coverage, int | float) and (report.get("coverage") or {}).get("must_testable"):
        right += f" · {coverage:.0%} covered"
    return f"crm-conformance {report['dialect']}", right


def render_badge(report: dict[str, Any]) -> str:
    left, right = badge_text(report)
    left_width = round(len(left) * CHARACTER_WIDTH) + PADDING
    right_width = round(len(right) * CHARACTER_WIDTH) + PADDING
    width = left_width + right_width
    colour = COLOURS.get(str(report.get("verdict")), COLOURS["error"])
    label = escape(f"{left}: {right}")
    return f"""<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" aria-label="{label}">
<title>{label}</title>
<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>
<clipPath id="r"><rect width="{width}" height="20" rx="3" fill="#fff"/></clipPath>
<g clip-path="url(#r)"><rect width="{left_width}" height="20" fill="#555"/><rect x="{left_width}" width="{right_width}" height="20" fill="{colour}"/><rect width="{width}" height="20" fill="url(#s)"/></g>
<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">
<text x="{left_width / 2}" y="14">{escape(left)}</text>
<text x="{left_width + right_width / 2}" y="14">{escape(right)}</text>
</g>
</svg>
"""
