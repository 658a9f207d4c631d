"""The embeddable search box in a real headless Chromium, embedded in a page of another origin.

Needs Debian's chromium (`apt-get install -y chromium`) and Playwright for Python; skipped when absent,
except when REQUIRE_BROWSER=1 (CI), where a missing browser is a failure.
"""

from __future__ import annotations

import dataclasses
import os
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from waitress import create_server

from indexer.build import build_index
from search_app import create_app

from conftest import by_title

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
JARDIN = "Jardin partagé: un outil de lien social et de participation citoyenne"
HOSTILE_TITLE = 'Jardin <script>window.__pwned = 1</script> des "voisins" <img src=x onerror="window.__pwned = 2">'
HOSTILE_CSS = """
* { display: block !important; color: red !important; font-size: 40px !important; margin: 25px !important;
    visibility: visible !important; line-height: 3 !important; font-family: "Comic Sans MS", fantasy !important; }
head, script, style, title { display: none !important; }
input, button, ul, li, a, mark, span, label, form { display: none !important; }
div { all: unset; border: 5px dotted lime !important; }
a { pointer-events: none !important; }
:root { --unrelated: 1; font-size: 5px; }
"""


def _missing_browser() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is missing: pip install -e '.[test]'"
    if not CHROMIUM.exists():
        return f"Chromium not found at {CHROMIUM}: apt-get install -y chromium"
    return None


class AppServer:
    """The real app under waitress on a loopback port, in a background thread."""

    def __init__(self, app) -> None:
        self.server = create_server(app, host="127.0.0.1", port=0, threads=4)
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.close()


class HostSite:
    """Another origin: a plain http.server answering the pages registered in `pages`."""

    def __init__(self) -> None:
        pages: dict[str, str] = {}
        self.pages = pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = pages.get(self.path.split("?")[0])
                if body is None:
                    self.send_response(204 if self.path == "/favicon.ico" else 404)
                    self.end_headers()
                    return
                data = body.encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def add(self, path: str, body: str) -> str:
        self.pages[path] = body
        return self.url + path

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def host_page(app_url: str, attributes: str = "", css: str = HOSTILE_CSS, extra: str = "") -> str:
    return f"""<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Site d'une fédération</title>
<style>{css}</style></head>
<body><h1>Nos actions</h1><p>Texte du site hôte.</p>
<div id="recherche-actions"></div>
<script src="{app_url}/embed.js" data-target="#recherche-actions" {attributes} async></script>
{extra}
</body></html>"""


@pytest.fixture(scope="module")
def browser():
    reason = _missing_browser()
    if reason:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but the browser test cannot run: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def app_server(app) -> Iterator[AppServer]:
    server = AppServer(app)
    yield server
    server.close()


@pytest.fixture(scope="module")
def hostile_fiches(sample_fiches):
    jardin = by_title(sample_fiches, JARDIN)
    hostile = dataclasses.replace(
        jardin, title=HOSTILE_TITLE,
        summary='Voisins : <script>window.__pwned = 3</script> <img src=x onerror="window.__pwned = 4"> '
                '<a href="javascript:window.__pwned = 5">lien</a>')
    return [hostile if f is jardin else f for f in sample_fiches]


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory, hostile_fiches, sample_corpus) -> Iterator[AppServer]:
    root = tmp_path_factory.mktemp("hostile-index")
    build_index(hostile_fiches, root)
    server = AppServer(create_app({"INDEX_DIR": root, "CORPUS_DIR": sample_corpus, "BUILD_IF_MISSING": False}))
    yield server
    server.close()


@pytest.fixture(scope="module")
def host_site() -> Iterator[HostSite]:
    site = HostSite()
    yield site
    site.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.errors = []

    def on_console(message) -> None:
        if message.type == "error":
            page.errors.append(f"{message.text} ({message.location.get('url')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: page.errors.append(f"pageerror: {error}"))
    page.on("response", lambda response: response.status >= 400
            and page.errors.append(f"HTTP {response.status} {response.url}"))
    yield page
    context.close()


def search_box(page):
    return page.get_by_role("combobox", name="Rechercher une action")


def test_hostile_host_page_search_and_follow_link(page, app_server, host_site):
    from playwright.sync_api import expect

    url = host_site.add("/hostile.html", host_page(app_server.url, 'data-limit="5"'))
    assert urlsplit(url).netloc != urlsplit(app_server.url).netloc
    page.goto(url)
    box = search_box(page)
    expect(box).to_be_visible()
    box.click()
    box.press_sequentially("jardin")

    option = page.get_by_role("option", name=re.compile("Jardin partagé"))
    expect(option).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("status")).to_have_text("1 action trouvée")
    assert "jardin" in option.locator("mark").first.inner_text().lower()
    title = option.locator(".title")
    assert title.evaluate("e => getComputedStyle(e).color") != "rgb(255, 0, 0)"
    assert box.evaluate("e => getComputedStyle(e).display") == "block"

    box.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", option.get_attribute("id"))
    box.press("Escape")
    expect(box).to_have_attribute("aria-expanded", "false")
    box.press("ArrowDown")
    expect(option).to_be_visible()

    # An option holds no link (axe: nested-interactive); a click opens the fiche it names.
    assert option.get_by_role("link").count() == 0
    assert option.get_attribute("data-href").startswith(app_server.url + "/actions/")
    with page.expect_navigation():
        option.click()
    assert page.url.startswith(app_server.url + "/actions/jardin-partage")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Jardin partagé")
    assert page.errors == []


def api_total(client, **params) -> int:
    return client.get("/api/search", query_string=params).get_json()["total"]


def test_preset_department_only_shows_its_actions(page, app_server, host_site, sample_fiches, client):
    from playwright.sync_api import expect

    department = "Loire-Atlantique"
    searches: list[str] = []
    page.on("request", lambda request: "/api/search" in request.url and searches.append(request.url))
    url = host_site.add("/departement.html", host_page(app_server.url, f'data-department="{department}" data-limit="10"'))
    page.goto(url)
    box = search_box(page)
    box.fill("parents")
    expected = api_total(client, q="parents", department=department)
    assert 0 < expected < api_total(client, q="parents")
    expect(page.get_by_role("status")).to_have_text(f"{expected} actions trouvées")

    options = page.get_by_role("option")
    own_titles = {f.title for f in sample_fiches if f.department == department}
    titles = options.locator(".title").all_inner_texts()
    assert len(titles) == expected and set(titles) <= own_titles
    for meta in options.locator(".meta").all_inner_texts():
        assert department in meta
    assert searches and all(parse_qs(urlsplit(u).query).get("department") == [department] for u in searches)

    box.press("ArrowDown")
    first_href = options.first.get_attribute("data-href")
    with page.expect_navigation():
        box.press("Enter")
    assert page.url == first_href
    assert page.errors == []


def test_fiche_with_markup_renders_as_text(page, hostile_server, host_site):
    from playwright.sync_api import expect

    url = host_site.add("/xss.html", host_page(hostile_server.url, 'data-new-tab="true"'))
    page.goto(url)
    search_box(page).press_sequentially("voisins")
    option = page.get_by_role("option").first
    expect(option).to_be_visible()
    expect(option.locator(".title")).to_have_text(HOSTILE_TITLE)
    expect(option.locator(".snippet")).to_contain_text("<script>window.__pwned = 3</script>")
    expect(option.locator(".snippet")).to_contain_text('<img src=x onerror="window.__pwned = 4">')
    expect(option.locator(".snippet")).to_contain_text('<a href="javascript:window.__pwned = 5">lien')
    injected = page.evaluate("""() => {
        const root = document.querySelector('#recherche-actions').shadowRoot;
        return root.querySelectorAll('script, img, iframe, [onerror], a[href^="javascript:"]').length
            + document.querySelectorAll('img, iframe').length;
    }""")
    assert injected == 0
    assert page.evaluate("window.__pwned") is None
    with page.context.expect_page() as opened:
        option.click()
    popup = opened.value
    popup.wait_for_load_state()
    assert popup.url.startswith(hostile_server.url + "/actions/")
    assert popup.evaluate("window.opener") is None
    assert page.url == url
    assert page.errors == []


def test_stale_response_never_overwrites_newer(page, app_server, host_site):
    from playwright.sync_api import expect

    held = []

    def hold_first_parents(route) -> None:
        if "q=parents" in route.request.url and not held:
            held.append(route)
        else:
            route.continue_()

    page.route(lambda u: "/api/search" in u, hold_first_parents)
    page.goto(host_site.add("/stale.html", host_page(app_server.url)))
    box = search_box(page)
    with page.expect_request(lambda r: "q=parents" in r.url):
        box.fill("parents")
    box.fill("jardin")
    expect(page.get_by_role("option", name=re.compile("Jardin partagé"))).to_be_visible()
    assert len(held) == 1
    held[0].continue_()
    expect(page.get_by_role("listbox")).to_have_attribute("aria-busy", "false")
    expect(page.get_by_role("option")).to_have_count(1)
    expect(page.get_by_role("status")).to_have_text("1 action trouvée")
    assert page.errors == []


def test_partial_word_is_completed_as_you_type(page, app_server, host_site):
    from playwright.sync_api import expect

    page.goto(host_site.add("/partial.html", host_page(app_server.url)))
    search_box(page).press_sequentially("jard")
    expect(page.get_by_role("option", name=re.compile("Jardin partagé"))).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("« jardin »")
    assert page.errors == []


def test_facet_chips_filter_results(page, app_server, host_site, client):
    from playwright.sync_api import expect

    page.goto(host_site.add("/facettes.html", host_page(app_server.url, 'data-facets="keyword" data-limit="20"')))
    chip = page.get_by_role("button", name=re.compile(r"^Santé \(\d+\)$"))
    expect(chip).to_have_attribute("aria-pressed", "false")
    search_box(page).fill("parents")
    expect(page.get_by_role("status")).to_have_text(f"{api_total(client, q='parents')} actions trouvées")
    chip.click()
    expect(chip).to_have_attribute("aria-pressed", "true")
    expect(chip).to_be_focused()
    expected = api_total(client, q="parents", keyword="Santé")
    expect(page.get_by_role("status")).to_have_text(f"{expected} action{'s trouvées' if expected > 1 else ' trouvée'}")
    titles = page.get_by_role("option").locator(".title").all_inner_texts()
    assert len(titles) == expected
    assert "Les grossesses juvéniles" in titles
    assert "Café des parents" not in titles
    assert page.errors == []


def test_unreachable_or_failing_api_is_reported_in_french(page, app_server, host_site):
    from playwright.sync_api import expect

    page.route(lambda u: "q=jardin" in u, lambda route: route.abort())
    page.goto(host_site.add("/panne.html", host_page(app_server.url)))
    box = search_box(page)
    box.fill("jardin")
    expect(page.get_by_role("status")).to_have_text("La recherche n'a pas abouti : service injoignable")
    expect(box).to_have_attribute("aria-expanded", "false")
    page.route(lambda u: "q=parents" in u, lambda route: route.fulfill(
        status=400, content_type="application/json", headers={"Access-Control-Allow-Origin": "*"},
        body='{"error": {"code": "bad_request", "message": "requête <b>invalide</b>"}}'))
    box.fill("parents")
    expect(page.get_by_role("status")).to_have_text("La recherche n'a pas abouti : requête <b>invalide</b>")


def test_embed_page_in_cross_origin_iframe(page, app_server, host_site):
    from playwright.sync_api import expect

    frame_src = f"{app_server.url}/embed?department=Loire-Atlantique&limit=3"
    page.goto(host_site.add("/iframe.html", f"""<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>iframe</title><style>{HOSTILE_CSS}</style></head><body>
<iframe id="recherche" src="{frame_src}" title="Rechercher une action" width="600" height="500"></iframe>
</body></html>"""))
    frame = page.frame_locator("#recherche")
    box = frame.get_by_role("searchbox", name="Rechercher une action")
    expect(box).to_be_visible()
    expect(frame.get_by_role("status")).to_have_text("4 actions trouvées")
    box.fill("plage")
    box.press("Enter")
    expect(frame.get_by_role("status")).to_have_text("1 action trouvée")
    link = frame.locator(".embed-title")
    expect(link).to_have_count(1)
    expect(link).to_contain_text("la plage")
    expect(frame.locator(".embed-meta")).to_contain_text("Loire-Atlantique")
    assert link.get_attribute("target") == "_blank" and link.get_attribute("rel") == "noopener"
    assert link.get_attribute("href").startswith("/actions/")
    assert page.errors == []


def test_only_embed_page_can_be_framed_by_another_origin(page, app_server, host_site):
    frames = {"embed": "/embed", "accueil": "/?q=jardin", "integrer": "/integrer"}
    page.goto(host_site.add("/cadres.html", "<!doctype html><title>cadres</title>" + "".join(
        f'<iframe name="{name}" src="{app_server.url}{path}"></iframe>' for name, path in frames.items())))
    searchable = {name: page.frame(name=name).evaluate("document.querySelectorAll('input[name=q]').length")
                  for name in frames}
    assert searchable == {"embed": 1, "accueil": 0, "integrer": 0}
    loaded = {name: page.frame(name=name).url.startswith(app_server.url) for name in frames}
    assert loaded == {"embed": True, "accueil": False, "integrer": False}
    assert any("frame-ancestors 'self'" in error for error in page.errors)


def test_integrer_live_preview_under_strict_csp(page, app_server):
    from playwright.sync_api import expect

    page.goto(f"{app_server.url}/integrer")
    preview = page.locator("#apercu-recherche")
    box = preview.get_by_role("combobox", name="Rechercher une action")
    expect(box).to_be_visible()
    expect(preview.get_by_role("button", name=re.compile(r"^Parentalité \(\d+\)$"))).to_be_visible()
    box.press_sequentially("jardin")
    option = preview.get_by_role("option", name=re.compile("Jardin partagé"))
    expect(option).to_be_visible()
    assert option.locator(".title").evaluate("e => getComputedStyle(e).color") == "rgb(11, 92, 173)"
    assert page.errors == []


# -- the main page (issue 13) ------------------------------------------------------------


def heading(page):
    return page.locator("#titre-resultats")


def plural(count: int) -> str:
    return f"{count} action{'s trouvées' if count > 1 else ' trouvée'}"


def test_main_page_searches_as_you_type_and_back_works(page, app_server, client):
    from playwright.sync_api import expect

    page.goto(app_server.url + "/")
    page.evaluate("window.__sansRechargement = 1")
    expect(heading(page)).to_have_text("14 actions trouvées")
    page.locator("#q").press_sequentially("jardin", delay=30)
    expect(heading(page)).to_have_text("1 action trouvée pour « jardin »")
    expect(page.locator("li.hit")).to_have_count(1)
    assert parse_qs(urlsplit(page.url).query) == {"q": ["jardin"]}
    expect(page.locator("#q")).to_be_focused()
    assert page.evaluate("window.__sansRechargement") == 1
    page.go_back()
    expect(heading(page)).to_have_text("14 actions trouvées")
    assert urlsplit(page.url).query == ""
    assert page.errors == []


def test_ticking_a_filter_keeps_focus_and_updates_results(page, app_server, client):
    from playwright.sync_api import expect

    page.goto(app_server.url + "/?q=parents")
    page.evaluate("window.__sansRechargement = 1")
    box = page.locator('input[type=checkbox][name=keyword][value="Parentalité"]')
    box.focus()
    page.keyboard.press("Space")
    expected = api_total(client, q="parents", keyword="Parentalité")
    expect(heading(page)).to_have_text(f"{plural(expected)} pour « parents »")
    box = page.locator('input[type=checkbox][name=keyword][value="Parentalité"]')
    expect(box).to_be_checked()
    expect(box).to_be_focused()
    assert parse_qs(urlsplit(page.url).query) == {"q": ["parents"], "keyword": ["Parentalité"]}
    assert page.evaluate("window.__sansRechargement") == 1
    assert page.errors == []


def test_search_after_browsing_is_ranked_by_relevance(page, app_server):
    from playwright.sync_api import expect

    page.goto(app_server.url + "/")
    expect(page.locator("#tri")).to_have_value("year")
    page.locator("#q").fill("seniors isolés")
    page.locator("#q").press("Enter")
    expect(heading(page)).to_contain_text("pour « seniors isolés »")
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"q": ["seniors isolés"]}
    expect(page.locator("#tri")).to_have_value("relevance")
    assert page.errors == []


def test_table_view_sorted_by_department(page, app_server, sample_fiches):
    from playwright.sync_api import expect

    page.goto(app_server.url + "/?per_page=20")
    page.get_by_role("link", name="Tableau").click()
    table = page.locator("table.hits-table")
    expect(table).to_be_visible()
    table.get_by_role("link", name="Département").click()
    expect(page.locator("th[aria-sort]")).to_have_text("Département")
    departments = page.locator("tr.hits-table__row td:nth-child(2)").all_inner_texts()
    assert len(departments) == len(sample_fiches)
    assert departments == sorted((f.department for f in sample_fiches), key=lambda d: d.replace("è", "e").lower())
    assert parse_qs(urlsplit(page.url).query) == {"per_page": ["20"], "view": ["table"], "sort": ["department"]}
    assert page.errors == []


def test_widget_more_chip_shows_every_value(page, app_server, host_site):
    from playwright.sync_api import expect

    page.goto(host_site.add("/plus.html", host_page(app_server.url, 'data-facets="department"')))
    more = page.get_by_role("button", name="plus… (3)")
    expect(more).to_be_visible()
    chips = page.get_by_role("button", name=re.compile(r"\(\d+\)$"))
    expect(chips).to_have_count(9)
    more.click()
    expect(chips).to_have_count(11)
    expect(page.get_by_role("button", name="Somme (80) (1)")).to_be_visible()
    assert page.errors == []
