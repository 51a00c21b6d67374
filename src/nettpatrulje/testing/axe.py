"""Accessibility checks in the browser tests: axe-core, as bundled by the
axe-playwright-python package (its axe.min.js ships inside the wheel, so nothing is
fetched at run time), and a check that a page fits its viewport without sideways
scrolling (WCAG 1.4.10 Reflow: 320 CSS px at 400 %, here 640 px at 200 %)."""

from __future__ import annotations

from dataclasses import dataclass

# WCAG 2.0/2.1, levels A and AA: the law's level for public bodies (EN 301 549).
WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Plus axe's best practices (landmarks, heading order, tabindex > 0, ...).
TAGS = [*WCAG_AA_TAGS, "best-practice"]
# What can change when the layout narrows; the rest was checked at full width.
LAYOUT_RULES = ["scrollable-region-focusable"]
BLOCKING_IMPACTS = {"serious", "critical"}


@dataclass(frozen=True)
class Violation:
    page: str
    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]

    def __str__(self) -> str:
        nodes = "; ".join(self.targets[:6]) + (" …" if len(self.targets) > 6 else "")
        return f"{self.page}: {self.rule} ({self.impact}) {self.help} -> {nodes}"


def axe_violations(page, name: str, rules: list[str] | None = None) -> list[Violation]:
    """The serious and critical violations axe finds on the page as it is now: of the
    WCAG A/AA rules and axe's best practices, or of the given rules only."""
    from axe_playwright_python.sync_playwright import Axe

    run_only = {"type": "rule", "values": rules} if rules else {"type": "tag", "values": TAGS}
    results = Axe().run(page, options={"runOnly": run_only, "resultTypes": ["violations"]})
    return [
        Violation(
            page=name,
            rule=v["id"],
            impact=v.get("impact") or "",
            help=v["help"],
            targets=tuple(" ".join(map(str, n["target"])) for n in v["nodes"]),
        )
        for v in results.response["violations"]
        if v.get("impact") in BLOCKING_IMPACTS
    ]


def horizontal_overflow(page) -> list[str]:
    """Elements that stick out past the right edge of the viewport, if the page
    scrolls sideways; empty when the body fits. Scrolling inside a table wrapper
    (.table-scroll) is allowed: WCAG excepts data tables from reflow."""
    return page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth;
          if (document.documentElement.scrollWidth <= width + 1) return [];
          const out = [];
          for (const el of document.body.querySelectorAll('*')) {
            const r = el.getBoundingClientRect();
            if (r.right > width + 1 && r.width > 0 && !el.closest('.table-scroll, dialog:not([open])')) {
              const id = el.id ? '#' + el.id : '';
              const cls = el.className && typeof el.className === 'string'
                ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
              out.push(`${el.tagName.toLowerCase()}${id}${cls} right=${Math.round(r.right)}`);
            }
          }
          return out.length ? out.slice(0, 8) : ['document scrolls sideways'];
        }"""
    )
