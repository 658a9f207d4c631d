"""axe-core in headless Chromium: the site's pages and the embedded box have no accessibility violation.

axe-core (MPL-2.0) is vendored under tests/vendor/axe-core/ and evaluated in each page
(Playwright's evaluate is not subject to the page's CSP). Same browser requirements as
tests/test_browser.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from test_browser import app_server, browser, host_page, host_site, search_box  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}
PLAIN_CSS = "body { font-family: sans-serif; margin: 2em; }"
DARK = """body { background: #0d1117; color: #e6edf3; font-family: sans-serif; }
#recherche-actions { --ac-background: #161b22; --ac-color: #e6edf3; --ac-muted: #9da7b3; --ac-border: #3d444d;
  --ac-accent: #6cb6ff; --ac-accent-contrast: #0d1117; --ac-input-background: #0d1117;
  --ac-highlight: #1f2a37; --ac-mark-background: #f2cc60; --ac-mark-color: #0d1117; }"""


def violations(page) -> list[str]:
    """axe's violations on the current page, one readable line each (rule, impact, first targets)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE)
    found = page.evaluate("""async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
        .map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | ")}`)""")
    return found


@pytest.fixture
def open_page(browser):  # noqa: F811
    contexts = []

    def opener(viewport: dict):
        context = browser.new_context(locale="fr-FR", viewport=viewport)
        contexts.append(context)
        return context.new_page()

    yield opener
    for context in contexts:
        context.close()


def _fiche_url(app_server, client) -> str:  # noqa: F811
    hit = client.get("/api/search", query_string={"q": "jardin"}).get_json()["hits"][0]
    return f"{app_server.url}/actions/{hit['id']}"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "375px"])
def test_site_pages_have_no_violation(open_page, app_server, client, viewport):  # noqa: F811
    from playwright.sync_api import expect

    page = open_page(viewport)
    paths = ["/", "/?q=parents&keyword=Sant%C3%A9&department=Is%C3%A8re", "/?q=jardinn", "/integrer"]
    report = {}
    for url in [app_server.url + path for path in paths] + [_fiche_url(app_server, client)]:
        page.goto(url)
        if url.endswith("/integrer"):
            expect(page.locator("#apercu-recherche").get_by_role("combobox")).to_be_visible()
        report[url] = violations(page)
    assert report == {url: [] for url in report}


@pytest.mark.parametrize(("css", "name"), [(PLAIN_CSS, "clair"), (DARK, "sombre")])
def test_widget_with_results_on_a_host_page_has_no_violation(open_page, app_server, host_site, css, name):  # noqa: F811
    from playwright.sync_api import expect

    page = open_page(DESKTOP)
    html = host_page(app_server.url, 'data-department="Isère" data-facets="keyword" data-limit="5"', css=css)
    html = html.replace("<body>", "<body><main>").replace("</body>", "</main></body>")
    page.goto(host_site.add(f"/axe-{name}.html", html))
    box = search_box(page)
    box.press_sequentially("jardin")
    expect(page.get_by_role("option").first).to_be_visible()
    box.press("ArrowDown")
    assert violations(page) == []
    ratio = page.evaluate("""() => {
        const mark = document.querySelector('#recherche-actions').shadowRoot.querySelector('mark');
        const rgb = (c) => c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
        const lum = (c) => { const [r, g, b] = rgb(c).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
                             return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
        const style = getComputedStyle(mark);
        const [a, b] = [lum(style.color), lum(style.backgroundColor)].sort((x, y) => y - x);
        return (a + 0.05) / (b + 0.05);
    }""")
    assert ratio >= 4.5, f"highlight contrast {ratio:.2f}:1 in the {name} theme"


def test_embed_page_has_no_violation(open_page, app_server):  # noqa: F811
    page = open_page(PHONE)
    page.goto(f"{app_server.url}/embed?q=jardin&department=Is%C3%A8re&resize=1")
    assert re.search(r"\d+ actions? trouvée", page.get_by_role("status").inner_text())
    assert violations(page) == []
