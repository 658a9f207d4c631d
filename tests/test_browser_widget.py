"""The embeddable box as a webmaster meets it: fallback content, preset chips, warnings, iframe height, copy.

Same browser requirements as tests/test_browser.py (Debian's chromium, Playwright).
"""

from __future__ import annotations

import json
import re

import pytest

from test_browser import app_server, browser, host_page, host_site, page, search_box  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

PLAIN = "body { font-family: sans-serif; }"
FALLBACK = '<a id="repli" href="https://exemple.test/">Rechercher parmi les actions</a>'


def with_fallback(html: str) -> str:
    return html.replace('<div id="recherche-actions"></div>', f'<div id="recherche-actions">{FALLBACK}</div>')


def test_fallback_content_stays_until_the_box_is_ready(page, app_server, host_site):  # noqa: F811
    from playwright.sync_api import expect

    held = []
    page.route(lambda u: "/api/search" in u, lambda route: held.append(route))
    page.goto(host_site.add("/repli.html", with_fallback(host_page(app_server.url, css=PLAIN))))
    expect(page.locator("#repli")).to_be_visible()
    page.wait_for_timeout(300)
    expect(page.locator("#repli")).to_be_visible()
    assert held, "the box did not contact the service"
    page.unroute("**")
    for route in held:
        route.continue_()
    expect(search_box(page)).to_be_visible()
    expect(page.locator("#repli")).to_be_hidden()


def test_unreachable_service_brings_the_fallback_back_with_a_french_message(page, app_server, host_site):  # noqa: F811
    from playwright.sync_api import expect

    page.route(lambda u: "/api/" in u, lambda route: route.abort())
    page.goto(host_site.add("/injoignable.html", with_fallback(host_page(app_server.url, css=PLAIN))))
    expect(page.get_by_role("status")).to_have_text("La recherche des actions est momentanément indisponible.")
    expect(page.locator("#repli")).to_be_visible()
    assert search_box(page).count() == 0 or not search_box(page).is_visible()
    page.errors[:] = [e for e in page.errors if "ERR_FAILED" not in e and "Failed to fetch" not in e]
    assert page.errors == []


def test_preset_filters_are_shown_as_fixed_chips(page, app_server, host_site):  # noqa: F811
    from playwright.sync_api import expect

    page.goto(host_site.add("/fixes.html", host_page(
        app_server.url, 'data-department="Loire-Atlantique" data-keyword="Parentalité,Santé"')))
    presets = page.locator("#recherche-actions").locator(".fixed")
    expect(presets).to_be_visible()
    expect(presets).to_have_text("Recherche limitée à : Département : Loire-Atlantique Mot clé : Parentalité "
                                 "Mot clé : Santé")
    assert presets.locator("button, a, input").count() == 0


def test_wrong_options_and_values_are_warned_in_the_console(page, app_server, host_site):  # noqa: F811
    from playwright.sync_api import expect

    warnings = []
    page.on("console", lambda m: m.type == "warning" and warnings.append(m.text))
    page.goto(host_site.add("/erreurs.html", host_page(
        app_server.url, 'data-department="loire-atlantique" data-facets="departement,keyword" data-couleur="rouge"')))
    expect(search_box(page)).to_be_visible()
    page.wait_for_timeout(200)
    text = "\n".join(warnings)
    assert "data-facets : filtre inconnu « departement »" in text
    assert "option inconnue : data-couleur" in text
    assert re.search(r"data-department : aucune action pour « loire-atlantique » "
                     r"\(vouliez-vous dire « Loire-Atlantique » \?\)", text), text


def test_iframe_resizes_itself_with_the_documented_helper(page, app_server, host_site, client):  # noqa: F811
    from playwright.sync_api import expect

    guide = client.get("/integrer", base_url=app_server.url).get_data(as_text=True)
    helper = re.search(r"&lt;script&gt;(addEventListener\(&#34;message&#34;.*?)&lt;/script&gt;", guide, re.S)
    helper = helper or re.search(r"&lt;script&gt;(addEventListener\(\"message\".*?)&lt;/script&gt;", guide, re.S)
    assert helper, "the helper is not on /integrer"
    code = (helper.group(1).replace("&#34;", '"').replace("&quot;", '"').replace("&gt;", ">")
            .replace("&lt;", "<").replace("&amp;", "&"))
    assert len(code.strip().splitlines()) == 3
    page.goto(host_site.add("/cadre.html", f"""<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>cadre</title></head><body><main><h1>Cadre</h1>
<iframe id="recherche" src="{app_server.url}/embed?q=parents&limit=20&resize=1" title="Rechercher" width="600"
 height="150"></iframe></main><script>{code}</script></body></html>"""))
    frame = page.locator("#recherche")
    expect(frame).to_have_attribute("style", re.compile(r"height: \d+px"))
    height = frame.evaluate("f => f.clientHeight")
    inner = page.frame_locator("#recherche").locator("html").evaluate(
        "e => Math.ceil(e.getBoundingClientRect().height)")
    assert height > 400 and abs(height - inner) <= 2


def test_copy_button_copies_the_snippet(browser, app_server):  # noqa: F811
    context = browser.new_context(locale="fr-FR")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_server.url)
    page = context.new_page()  # noqa: F811
    try:
        page.goto(f"{app_server.url}/integrer")
        buttons = page.get_by_role("button", name="Copier")
        assert buttons.count() >= 3
        buttons.first.click()
        page.get_by_text("Code copié.").wait_for()
        copied = page.evaluate("navigator.clipboard.readText()")
        assert f'src="{app_server.url}/embed.js"' in copied and 'id="recherche-actions"' in copied
    finally:
        context.close()


def test_cross_origin_post_to_similar_works_from_a_host_page(page, app_server, host_site):  # noqa: F811
    page.goto(host_site.add("/post.html", "<!doctype html><title>post</title><p>hôte</p>"))
    result = page.evaluate("""async (base) => {
        const response = await fetch(base + "/api/similar", {method: "POST", credentials: "omit",
            headers: {"Content-Type": "application/json"}, body: JSON.stringify({text: "jardin partagé des voisins"})});
        return [response.status, (await response.json()).hits.length];
    }""", app_server.url)
    assert result[0] == 200 and result[1] > 0, json.dumps(result)
