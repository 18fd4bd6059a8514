"""Accessibility checks in the browser tests: axe-core (vendored under ``vendor/axe-core/``, a test
tool never served) injected into the page the driver shows, failing on serious or critical
violations and listing each with the elements it names.

    from tests.browser.axe import assert_accessible
    assert_accessible(driver, "pins list")            # the whole page as it is now
    assert_accessible(driver, "composer", exclude=["#some-third-party-widget"])

Each call also writes axe's full answer to ``artifacts/browser/axe/<page_name>-<width>.json``, so minor
and moderate findings can be read too.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.browser.conftest import artifacts_dir

AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
#: What fails a page (axe's impacts are minor, moderate, serious and critical).
FAILING_IMPACTS = ("serious", "critical")

_RUN = """
const [exclude, done] = [arguments[0], arguments[arguments.length - 1]];
const context = exclude.length ? {include: [document], exclude: exclude.map((s) => [s])} : document;
axe.run(context, {resultTypes: ["violations"]})
  .then((results) => done({violations: results.violations}))
  .catch((err) => done({error: String(err)}));
"""


def axe_violations(driver: Any, *, exclude: list[str] | None = None) -> list[dict[str, Any]]:
    """axe's violations on the driver's current page (every impact)."""
    if not driver.execute_script("return typeof window.axe === 'object'"):
        driver.execute_script(AXE_JS.read_text(encoding="utf-8"))
    driver.set_script_timeout(60)
    answer = driver.execute_async_script(_RUN, exclude or [])
    if "error" in answer:
        raise AssertionError(f"axe-core did not run: {answer['error']}")
    return list(answer["violations"])


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"][:8]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node.get('failureSummary', '').strip()}")
    return "\n".join(lines)


def assert_accessible(driver: Any, page_name: str, *, exclude: list[str] | None = None) -> None:
    """Fail when the page has serious or critical axe violations, listing them; save the full answer."""
    violations = axe_violations(driver, exclude=exclude)
    directory = artifacts_dir() / "axe"
    directory.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^a-z0-9]+", "-", page_name.lower()).strip("-")
    width = driver.execute_script("return window.innerWidth")
    (directory / f"{slug}-{width}.json").write_text(json.dumps(violations, indent=2), encoding="utf-8")
    failing = [violation for violation in violations if violation.get("impact") in FAILING_IMPACTS]
    assert not failing, f"{page_name}: {len(failing)} serious or critical accessibility violations:\n" + describe(
        failing)
