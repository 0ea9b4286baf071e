"""`crm-conformance badge`: an SVG a README can show, saying the verdict, the level and the coverage."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from conformance.reports.badge import COLOURS, render_badge

SVG = "{http://www.w3.org/2000/svg}"


def report(verdict: str, must: float = 0.97, dialect: str = "revorbit") -> dict[str, object]:
    return {"verdict": verdict, "level": "strict", "dialect": dialect,
            "coverage": {"must": must, "must_testable": 200}}


def test_the_badge_is_svg_with_verdict_level_and_coverage() -> None:
    root = ET.fromstring(render_badge(report("conformant")))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts == ["crm-conformance revorbit", "conformant · strict · 97% covered"]
    assert COLOURS["conformant"] in [r.get("fill") for r in root.iter(f"{SVG}rect")]


def test_each_verdict_has_its_colour() -> None:
    fills = {v: [r.get("fill") for r in ET.fromstring(render_badge(report(v))).iter(f"{SVG}rect")]
             for v in COLOURS}
    assert all(COLOURS[v] in fills[v] for v in COLOURS)
    assert len(set(COLOURS.values())) == 3


def test_text_from_a_report_is_escaped() -> None:
    root = ET.fromstring(render_badge(report("conformant", dialect="<script>&")))
    assert "crm-conformance <script>&" in [t.text for t in root.iter(f"{SVG}text")]
