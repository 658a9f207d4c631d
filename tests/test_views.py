"""The French web pages: search page, fiche page, errors, escaping and CSP."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from indexer.analysis import fold
from indexer.build import build_index
from indexer.fiche import FIELD_SPECS
from indexer.parse import parse_text
from search_app.views import page_numbers, plural
from tests.conftest import by_title

VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
JARDIN = "Jardin partagé: un outil de lien social et de participation citoyenne"


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    text: str = ""
    children: list[Element] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Element]:
        found = []
        for child in self.children:
            if ((tag is None or child.tag == tag) and (cls is None or cls in child.classes)
                    and all(child.attrs.get(k.rstrip("_").replace("_", "-")) == v for k, v in attrs.items())):
                found.append(child)
            found.extend(child.find_all(tag, cls, **attrs))
        return found

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> Element:
        found = self.find_all(tag, cls, **attrs)
        assert found, f"no <{tag} class={cls} {attrs}>"
        return found[0]

    def iter(self):
        for child in self.children:
            yield child
            yield from child.iter()

    @property
    def clean_text(self) -> str:
        return " ".join(self.text.split())


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs))
        self.stack[-1].children.append(element)
        if tag not in VOID_TAGS:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Element(tag, dict(attrs)))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        for element in self.stack[1:]:
            element.text += data


def parse_html(html: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def get_page(client, url: str, status: int = 200) -> tuple[str, Element]:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    return html, parse_html(html)


def query_of(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


def hit_titles(doc: Element) -> list[str]:
    return [li.find("h3").clean_text for li in doc.find_all("li", cls="hit")]


def count_heading(doc: Element) -> str:
    return doc.find(id="titre-resultats").clean_text


def checkbox(doc: Element, name: str, value: str) -> Element:
    matches = [el for el in doc.find_all("input", type="checkbox") if el.attrs.get("name") == name
               and el.attrs.get("value") == value]
    assert len(matches) == 1, f"{name}={value}: {len(matches)} checkboxes"
    return matches[0]


def checked_values(doc: Element, name: str) -> list[str]:
    return [el.attrs["value"] for el in doc.find_all("input", type="checkbox")
            if el.attrs.get("name") == name and "checked" in el.attrs]


# -- helpers of views.py -----------------------------------------------------------------

def test_french_plural():
    assert plural(0, "action trouvée", "actions trouvées") == "0 action trouvée"
    assert plural(1, "action trouvée", "actions trouvées") == "1 action trouvée"
    assert plural(14, "action trouvée", "actions trouvées") == "14 actions trouvées"
    assert plural(1234, "action", "actions") == "1\u202f234 actions"


@pytest.mark.parametrize("current, last, expected", [
    (1, 1, [1]),
    (1, 3, [1, 2, 3]),
    (1, 10, [1, 2, 3, None, 10]),
    (5, 10, [1, None, 3, 4, 5, 6, 7, None, 10]),
    (10, 10, [1, None, 8, 9, 10]),
    (4, 10, [1, 2, 3, 4, 5, 6, None, 10]),
])
def test_page_numbers(current, last, expected):
    assert page_numbers(current, last) == expected


# -- search page -------------------------------------------------------------------------

def test_home_browses_all_actions(client, sample_fiches):
    html, doc = get_page(client, "/")
    assert count_heading(doc) == f"{len(sample_fiches)} actions trouvées"
    assert len(doc.find_all("li", cls="hit")) == 10
    assert doc.find("html").attrs["lang"] == "fr"
    assert doc.find("h1").clean_text
    assert len(doc.find_all("h1")) == 1


def test_layout_landmarks_and_links(client):
    _, doc = get_page(client, "/")
    skip = doc.find("a", cls="skip-link")
    assert skip.attrs["href"] == "#contenu" and skip.clean_text == "Aller au contenu"
    assert doc.find("main").attrs["id"] == "contenu"
    for tag in ("header", "nav", "footer"):
        assert doc.find_all(tag), tag
    search_link = doc.find("link", rel="search")
    assert search_link.attrs == {"rel": "search", "type": "application/opensearchdescription+xml",
                                 "title": "Actions des centres sociaux", "href": "/opensearch.xml"}
    footer = doc.find("footer")
    assert any(a.attrs.get("href") == "/integrer" and a.clean_text == "Intégrer la recherche à votre site"
               for a in footer.find_all("a"))
    stylesheet = doc.find("link", rel="stylesheet")
    assert stylesheet.attrs["href"].startswith("/static/")


def test_search_box_is_labelled_get_form(client):
    _, doc = get_page(client, "/?q=jardin")
    form = doc.find("form", id="recherche")
    assert form.attrs["method"] == "get" and form.attrs["action"] == "/"
    box = doc.find("input", id="q")
    assert box.attrs["type"] == "search" and box.attrs["name"] == "q" and box.attrs["value"] == "jardin"
    assert doc.find("label", for_="q").clean_text


def test_every_form_control_has_a_label(client):
    _, doc = get_page(client, "/?q=parents&keyword=Parentalit%C3%A9")
    labels = {label.attrs.get("for") for label in doc.find_all("label")}
    controls = [el for el in doc.iter() if el.tag in ("input", "select") and el.attrs.get("type") != "hidden"]
    assert controls
    for control in controls:
        assert control.attrs.get("id") in labels, control.attrs


def test_result_shows_title_link_structure_department_year_status_snippet(client, sample_fiches):
    fiche = by_title(sample_fiches, JARDIN)
    html, doc = get_page(client, "/?q=jardin")
    assert count_heading(doc).startswith("1 action trouvée")
    hit = doc.find("li", cls="hit")
    link = hit.find("h3").find("a")
    assert link.attrs["href"] == f"/actions/{fiche.id}"
    assert link.clean_text == JARDIN
    assert hit.find("p", cls="hit__structure").clean_text == fiche.structure_name
    meta = hit.find("p", cls="hit__meta").clean_text
    assert fiche.department in meta and fiche.year in meta and fiche.status in meta
    snippet = hit.find("p", cls="hit__snippet")
    assert [m.clean_text.lower() for m in snippet.find_all("mark")][0].startswith("jardin")


def test_query_is_echoed_escaped(client):
    html, doc = get_page(client, "/?q=%3Cb%3Ejardin%3C%2Fb%3E")
    assert "<b>jardin</b>" not in html
    assert "&lt;b&gt;jardin&lt;/b&gt;" in html
    assert doc.find("input", id="q").attrs["value"] == "<b>jardin</b>"


def test_facet_groups_are_fieldsets_with_counts(client):
    _, doc = get_page(client, "/")
    legends = [fs.find("legend").clean_text for fs in doc.find_all("fieldset", cls="facet")]
    assert legends == ["Dimension", "Public", "Mot clé", "Statut", "Département", "Année"]
    box = checkbox(doc, "keyword", "Parentalité")
    label = doc.find("label", for_=box.attrs["id"])
    assert label.find("span", cls="facet__count").clean_text == "8"
    assert box.attrs["form"] == "recherche"
    assert "checked" not in box.attrs


def test_selected_facet_value_is_checked_and_others_not(client):
    _, doc = get_page(client, "/?keyword=Parentalit%C3%A9")
    assert count_heading(doc) == "8 actions trouvées"
    assert checked_values(doc, "keyword") == ["Parentalité"]
    assert "checked" not in checkbox(doc, "keyword", "Santé").attrs
    # disjunctive counts: Santé keeps its count over the set not filtered by keyword
    sante = checkbox(doc, "keyword", "Santé")
    assert doc.find("label", for_=sante.attrs["id"]).find("span", cls="facet__count").clean_text == "3"


def test_filter_submit_button_visible_without_js(client):
    _, doc = get_page(client, "/")
    buttons = [b for b in doc.find_all("button") if b.clean_text == "Filtrer"]
    assert len(buttons) == 1
    assert buttons[0].attrs["type"] == "submit" and buttons[0].attrs["form"] == "recherche"
    assert "js-hidden" not in buttons[0].classes


def test_chips_remove_exactly_one_value(client):
    url = ("/?q=parents&keyword=Parentalit%C3%A9&keyword=Sant%C3%A9&department=Loire-Atlantique"
           "&sort=title&page=1")
    _, doc = get_page(client, url)
    chips = {a.attrs["aria-label"]: a.attrs["href"] for a in doc.find("ul", cls="chips").find_all("a")}
    assert set(chips) == {"Retirer le filtre Mot clé : Parentalité", "Retirer le filtre Mot clé : Santé",
                          "Retirer le filtre Département : Loire-Atlantique"}
    assert query_of(chips["Retirer le filtre Mot clé : Santé"]) == {
        "q": ["parents"], "keyword": ["Parentalité"], "department": ["Loire-Atlantique"], "sort": ["title"]}
    assert query_of(chips["Retirer le filtre Département : Loire-Atlantique"]) == {
        "q": ["parents"], "keyword": ["Parentalité", "Santé"], "sort": ["title"]}
    _, after = get_page(client, chips["Retirer le filtre Mot clé : Santé"])
    assert checked_values(after, "keyword") == ["Parentalité"]
    assert checked_values(after, "department") == ["Loire-Atlantique"]
    assert len(after.find("ul", cls="chips").find_all("a")) == 2


def test_clear_all_filters_keeps_query(client):
    _, doc = get_page(client, "/?q=parents&keyword=Parentalit%C3%A9&year=2015")
    clear = doc.find("a", cls="chips__clear")
    assert query_of(clear.attrs["href"]) == {"q": ["parents"]}


def test_no_chips_without_filters(client):
    _, doc = get_page(client, "/?q=parents")
    assert not doc.find_all("ul", cls="chips")


def test_pagination_first_page(client):
    _, doc = get_page(client, "/?per_page=5&keyword=Parentalit%C3%A9")
    nav = doc.find("nav", cls="pagination")
    assert nav.attrs["aria-label"] == "Pagination"
    pages = nav.find_all("a", cls="pagination__page")
    assert [a.clean_text for a in pages] == ["Page 1", "Page 2"]
    current = [a for a in pages if a.attrs.get("aria-current") == "page"]
    assert [a.clean_text for a in current] == ["Page 1"]
    assert query_of(pages[1].attrs["href"]) == {"keyword": ["Parentalité"], "per_page": ["5"], "page": ["2"]}
    steps = {a.clean_text: a.attrs["href"] for a in nav.find_all("a", cls="pagination__step")}
    assert list(steps) == ["Suivant →"]
    assert query_of(steps["Suivant →"])["page"] == ["2"]
    assert nav.find("span", cls="is-disabled").clean_text == "← Précédent"


def test_pagination_last_page(client):
    _, doc = get_page(client, "/?per_page=5&page=3")
    assert len(doc.find_all("li", cls="hit")) == 4
    nav = doc.find("nav", cls="pagination")
    current = [a.clean_text for a in nav.find_all("a") if a.attrs.get("aria-current") == "page"]
    assert current == ["Page 3"]
    steps = {a.clean_text: a.attrs["href"] for a in nav.find_all("a", cls="pagination__step")}
    assert list(steps) == ["← Précédent"]
    assert query_of(steps["← Précédent"]) == {"per_page": ["5"], "page": ["2"]}
    assert doc.find("p", cls="results__page").clean_text == "Page 3 sur 3"


def test_no_pagination_when_one_page(client):
    _, doc = get_page(client, "/?q=parents")
    assert not doc.find_all("nav", cls="pagination")


def test_page_beyond_the_last_is_explained(client):
    _, doc = get_page(client, "/?q=parents&page=50")
    empty = doc.find("div", cls="empty")
    assert "Cette page n'existe pas" in empty.clean_text
    assert query_of(empty.find("a").attrs["href"]) == {"q": ["parents"]}


def test_pages_of_a_search_are_disjoint_and_complete(client, sample_fiches):
    seen = []
    for page in (1, 2, 3):
        _, doc = get_page(client, f"/?per_page=5&page={page}&sort=title")
        seen += hit_titles(doc)
    assert sorted(seen) == sorted(f.title for f in sample_fiches)


def test_sort_by_title(client):
    _, doc = get_page(client, "/?sort=title&per_page=50")
    titles = hit_titles(doc)
    assert titles[0] == "ACCUEIL PARENTS ENFANTS 0-3ANS"
    assert titles == sorted(titles, key=str.lower)
    select = doc.find("select", id="tri")
    assert select.attrs["name"] == "sort" and doc.find("label", for_="tri").clean_text == "Trier par"
    selected = [o.attrs["value"] for o in select.find_all("option") if "selected" in o.attrs]
    assert selected == ["title"]


def test_sort_options(client):
    _, doc = get_page(client, "/?q=parents")
    options = {o.attrs["value"]: o.clean_text for o in doc.find("select", id="tri").find_all("option")}
    assert options == {"relevance": "pertinence", "year": "année", "title": "titre"}
    _, browse = get_page(client, "/")
    select = browse.find("select", id="tri")
    assert [o.attrs["value"] for o in select.find_all("option")] == ["year", "title"]
    assert [o.attrs["value"] for o in select.find_all("option") if "selected" in o.attrs] == ["year"]


def test_sort_is_kept_in_pagination_links(client):
    _, doc = get_page(client, "/?sort=title&per_page=5")
    nav = doc.find("nav", cls="pagination")
    assert all(query_of(a.attrs["href"])["sort"] == ["title"] for a in nav.find_all("a"))


def test_suggestion_links_to_corrected_search_keeping_filters(client):
    _, doc = get_page(client, "/?q=jardim&year=2015")
    notice = doc.find("p", cls="notice--suggestion")
    assert notice.clean_text == "Vouliez-vous dire jardin ?"
    assert query_of(notice.find("a").attrs["href"]) == {"q": ["jardin"], "year": ["2015"]}
    _, corrected = get_page(client, notice.find("a").attrs["href"])
    assert hit_titles(corrected) == [JARDIN]


def test_zero_result_page_helps(client):
    _, doc = get_page(client, "/?q=jardin&keyword=Logement")
    assert count_heading(doc) == "Aucune action trouvée pour « jardin »"
    empty = doc.find("div", cls="empty")
    text = empty.clean_text
    assert "Vérifiez l'orthographe" in text
    assert "moins de mots" in text
    assert "Retirez des filtres" in text
    links = {a.clean_text: a.attrs["href"] for a in empty.find_all("a")}
    assert query_of(links["Voir l'action pour « jardin » sans filtre"]) == {"q": ["jardin"]}
    assert links["Parcourir toutes les actions"] == "/"
    remove = [a for a in empty.find_all("a", cls="chip")]
    assert [a.attrs["aria-label"] for a in remove] == ["Retirer le filtre Mot clé : Logement"]
    assert query_of(remove[0].attrs["href"]) == {"q": ["jardin"]}
    assert not doc.find_all("li", cls="hit")


def test_zero_result_without_filters(client):
    _, doc = get_page(client, "/?q=xylophone")
    assert count_heading(doc) == "Aucune action trouvée pour « xylophone »"
    text = doc.find("div", cls="empty").clean_text
    assert "Vérifiez l'orthographe" in text and "Retirez des filtres" not in text


def test_relaxed_notice(client):
    _, doc = get_page(client, "/?q=jardin+turin")
    notices = [p.clean_text for p in doc.find_all("p", cls="notice")]
    assert "Aucune action ne contient tous les mots ; voici celles qui en contiennent au moins un." in notices
    assert set(hit_titles(doc)) == {JARDIN, "Sortie Turin"}


def test_long_text_notice(client):
    text = ("Nous voulons créer un jardin partagé au pied des immeubles avec les habitants du quartier, "
            "les familles, les enfants de l'école voisine et les personnes âgées isolées, pour recréer "
            "du lien social et sensibiliser au développement durable avec des ateliers de jardinage.")
    _, doc = get_page(client, "/?" + "q=" + text.replace(" ", "+"))
    notices = " ".join(p.clean_text for p in doc.find_all("p", cls="notice"))
    assert "Votre texte est long" in notices
    assert hit_titles(doc)[0] == JARDIN


def test_empty_query_and_blank_filters_browse_everything(client, sample_fiches):
    _, doc = get_page(client, "/?q=&keyword=&sort=")
    assert count_heading(doc) == f"{len(sample_fiches)} actions trouvées"


@pytest.mark.parametrize("query", ["page=0", "per_page=9999", "sort=xyz", "page=abc", "page=-3",
                                   "per_page=0", "page=100000"])
def test_invalid_parameters_give_french_400_page(client, query):
    html, doc = get_page(client, f"/?q=jardin&{query}", status=400)
    assert doc.find("h1").clean_text == "Requête invalide"
    message = doc.find("p", cls="error-page__message").clean_text
    assert re.search(r"paramètre|tri inconnu", message, re.IGNORECASE)
    assert "Traceback" not in html
    assert doc.find("input", id="q").attrs["value"] == "jardin"


def test_hostile_query_strings_do_not_fail(client):
    for query in ['"unbalanced', "(((", "titre:", "AND OR NOT", "-", "\u202ejardin", "x" * 5000,
                  "keyword=%FF", "q=%00%01"]:
        response = client.get("/", query_string={"q": query})
        assert response.status_code == 200, query


# -- fiche page --------------------------------------------------------------------------

def fiche_headings(doc: Element) -> list[str]:
    return [section.find("h2").clean_text for section in doc.find_all("section", cls="fiche__section")]


def test_fiche_page_shows_non_empty_sections_in_order(client, sample_fiches):
    for fiche in sample_fiches:
        _, doc = get_page(client, f"/actions/{fiche.id}")
        expected = [spec.heading for spec in FIELD_SPECS if getattr(fiche, spec.name)]
        assert fiche_headings(doc) == expected, fiche.title
        assert doc.find("h1").clean_text == " ".join(fiche.title.split())
        assert len(doc.find_all("h1")) == 1


def test_fiche_page_skips_empty_sections(client, sample_fiches):
    fiche = next(f for f in sample_fiches if not f.files)
    _, doc = get_page(client, f"/actions/{fiche.id}")
    assert "Fichiers associés" not in fiche_headings(doc)


def test_fiche_text_keeps_line_breaks_and_lists_are_lists(client, sample_fiches):
    fiche = by_title(sample_fiches, JARDIN)
    _, doc = get_page(client, f"/actions/{fiche.id}")
    sections = {s.find("h2").clean_text: s for s in doc.find_all("section", cls="fiche__section")}
    multi_line = next(spec for spec in FIELD_SPECS
                      if spec.kind == "text" and "\n" in getattr(fiche, spec.name))
    text = sections[multi_line.heading].find("div", cls="fiche__text").text
    assert text.strip() == getattr(fiche, multi_line.name).strip()
    initiative = sections["À l'initiative de l'action"].find("ul")
    assert [li.clean_text for li in initiative.find_all("li")] == fiche.initiative


def test_fiche_facets_link_to_filtered_searches(client, sample_fiches):
    fiche = by_title(sample_fiches, JARDIN)
    _, doc = get_page(client, f"/actions/{fiche.id}")
    sections = {s.find("h2").clean_text: s for s in doc.find_all("section", cls="fiche__section")}
    keyword_links = {a.clean_text: a.attrs["href"] for a in sections["Mots clés"].find_all("a")}
    assert set(keyword_links) == set(fiche.keywords)
    for keyword, href in keyword_links.items():
        assert query_of(href) == {"keyword": [keyword]}
    assert query_of(sections["Public"].find("a").attrs["href"]) == {"public": [fiche.public[0]]}
    assert query_of(sections["Statut de l'action"].find("a").attrs["href"]) == {"status": [fiche.status]}
    assert query_of(sections["Dimension"].find("a").attrs["href"]) == {"dimension": [fiche.dimension]}
    facts = {a.clean_text: a.attrs["href"] for a in doc.find("dl", cls="facts").find_all("a")}
    assert query_of(facts[fiche.department]) == {"department": [fiche.department]}
    assert query_of(facts[fiche.year]) == {"year": [fiche.year]}
    _, search = get_page(client, keyword_links["Santé"])
    assert "checked" in checkbox(search, "keyword", "Santé").attrs
    assert JARDIN in hit_titles(search)


def test_fiche_page_lists_similar_actions(client, sample_fiches):
    fiche = by_title(sample_fiches, "Ateliers Parents-enfants")
    _, doc = get_page(client, f"/actions/{fiche.id}")
    similar = doc.find("section", cls="similar")
    assert similar.find("h2").clean_text == "Actions similaires"
    links = similar.find_all("a")
    assert 1 <= len(links) <= 5
    assert all(a.attrs["href"].startswith("/actions/") for a in links)
    assert f"/actions/{fiche.id}" not in [a.attrs["href"] for a in links]
    assert links[0].clean_text in {"atelier parents enfants", "ACCUEIL PARENTS ENFANTS 0-3ANS"}


def test_unknown_fiche_is_a_french_404_page(client):
    html, doc = get_page(client, "/actions/nexiste-pas-12345678", status=404)
    assert doc.find("h1").clean_text == "Action introuvable"
    assert "nexiste-pas-12345678" in doc.find("p", cls="error-page__message").clean_text
    assert doc.find("a", href="/")


def test_unknown_path_is_a_french_404_page(client):
    _, doc = get_page(client, "/nulle-part", status=404)
    assert doc.find("h1").clean_text == "Page introuvable"


# -- security: scripts, styles, headers --------------------------------------------------

def assert_no_inline_code(html: str, doc: Element) -> None:
    scripts = doc.find_all("script")
    for script in scripts:
        assert (script.attrs.get("src") or "").startswith("/static/"), script.attrs
        assert not script.text.strip()
    assert not doc.find_all("style")
    for element in doc.iter():
        for name, value in element.attrs.items():
            assert name != "style", element.tag
            assert not name.startswith("on"), (element.tag, name)
            if name in ("href", "src", "action", "formaction"):
                target = (value or "").strip().lower()
                assert not target.startswith(("javascript:", "data:", "vbscript:")), value
                assert not target.startswith(("http://", "https://", "//")), value


@pytest.mark.parametrize("url, status", [
    ("/", 200), ("/?q=jardin", 200), ("/?q=jardim&keyword=Logement", 200), ("/?page=0", 400),
    ("/actions/nope", 404),
])
def test_pages_have_no_inline_script_or_style_and_send_csp(client, url, status):
    response = client.get(url)
    assert response.status_code == status
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    html = response.get_data(as_text=True)
    assert_no_inline_code(html, parse_html(html))


def test_fiche_page_has_no_inline_code(client, sample_fiches):
    response = client.get(f"/actions/{sample_fiches[0].id}")
    assert "Content-Security-Policy" in response.headers
    html = response.get_data(as_text=True)
    assert_no_inline_code(html, parse_html(html))


def test_static_assets_are_local(client):
    _, doc = get_page(client, "/")
    for script in doc.find_all("script"):
        assert client.get(script.attrs["src"]).status_code == 200
    css = client.get("/static/style.css")
    assert css.status_code == 200 and css.mimetype == "text/css"
    body = css.get_data(as_text=True)
    assert "@import" not in body and "url(http" not in body and "@font-face" not in body


# -- escaping of hostile corpus content -----------------------------------------------------

HOSTILE_TITLE = "<script>alert(1)</script> Atelier"
HOSTILE_DIMENSION = '"><svg onload=alert(1)>'
HOSTILE_CORPUS = f"""Les actions des centres sociaux
Nom | Département | Année |
---|---|---|
{HOSTILE_TITLE} | Isère | 2015 |
Atelier cuisine des familles | Isère | 2015 |
Actions
{HOSTILE_TITLE}
- Structure organisatrice
- Centre social <i>Test</i> - Isère
- Fichier(s) associé(s)
- Statut de l'action
- En cours
- Dimension
- {HOSTILE_DIMENSION}
- Mots clés associés à l'action
-
- javascript:alert(1)
- Parentalité
- Résumé
Atelier cuisine <img src=x onerror=alert(1)> pour les familles du quartier.
- Qui est à l'initiative de l'action ?
-
- Le centre social
- Territoire concerné
- Un quartier
- Description de l'expérience, ses objectifs, ses acteurs et ses différentes phases.
Les familles cuisinent ensemble <script>alert(2)</script> chaque semaine.
<a href="javascript:alert(3)">lien</a>
- Public
- familles
- Avec qui cette action a-t-elle été menée ?
-
Partenaires d'action:
- Mairie
- Territoire concerné
- Autre
- Description générale
Cuisine collective
- Ressources financières mobilisées pour cette action
100 €
- Nombre de personnes mobilisés pour cette action
3 animateurs
- Résultat sur le territoire
Des familles plus présentes
- Résultat pour le centre social
Des liens avec les familles
- Résultat pour les habitants
Des recettes partagées
- Suite de l'action : Limites
La place en cuisine
- Suite de l'action : Perspectives
Un livre de recettes
Actions
Atelier cuisine des familles
- Structure organisatrice
- Centre social Voisin - Isère
- Fichier(s) associé(s)
- Statut de l'action
- Terminée
- Dimension
- Citoyenneté
- Mots clés associés à l'action
-
- Parentalité
- Résumé
Les familles cuisinent ensemble chaque semaine au centre social.
- Qui est à l'initiative de l'action ?
-
- Le centre social
- Territoire concerné
- Un quartier
- Description de l'expérience, ses objectifs, ses acteurs et ses différentes phases.
Un atelier cuisine pour les familles du quartier.
- Public
- familles
- Avec qui cette action a-t-elle été menée ?
-
Partenaires d'action:
- Mairie
- Territoire concerné
- Autre
- Description générale
Cuisine collective
- Ressources financières mobilisées pour cette action
50 €
- Nombre de personnes mobilisés pour cette action
2 animateurs
- Résultat sur le territoire
Des familles plus présentes
- Résultat pour le centre social
Des liens avec les familles
- Résultat pour les habitants
Des recettes partagées
- Suite de l'action : Limites
Le temps
- Suite de l'action : Perspectives
Continuer
"""
RAW_MARKUP = ("<script>alert", "<img src=x", "<svg onload", "<i>Test</i>", '<a href="javascript')


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    from search_app import create_app

    result = parse_text(HOSTILE_CORPUS, "hostile.txt")
    assert not result.problems, [str(p) for p in result.problems]
    assert [f.title for f in result.fiches] == [HOSTILE_TITLE, "Atelier cuisine des familles"]
    root = tmp_path_factory.mktemp("hostile")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "hostile.txt").write_text(HOSTILE_CORPUS, encoding="utf-8")
    build_index(result.fiches, root / "index")
    app = create_app({"INDEX_DIR": root / "index", "CORPUS_DIR": corpus, "BUILD_IF_MISSING": False})
    app.config["TESTING"] = True
    return app.test_client(), result.fiches


def assert_escaped(html: str, doc: Element) -> None:
    for raw in RAW_MARKUP:
        assert raw not in html, raw
    assert_no_inline_code(html, doc)


@pytest.mark.parametrize("url", [
    "/", "/?q=atelier", "/?q=alert", "/?q=img+onerror", "/?q=script", "/?q=cuisine&sort=title",
    "/?keyword=javascript%3Aalert%281%29", "/?dimension=%22%3E%3Csvg+onload%3Dalert%281%29%3E",
    "/?q=%3Cscript%3Ealert(1)%3C/script%3E", "/?q=%3Cimg+src%3Dx+onerror%3Dalert(1)%3E&keyword=Parentalit%C3%A9",
    "/?q=atelier&keyword=javascript%3Aalert%281%29&dimension=%22%3E%3Csvg+onload%3Dalert%281%29%3E",
    "/?q=alret", "/?q=xyz&keyword=javascript%3Aalert%281%29",
])
def test_hostile_content_is_escaped_on_search_pages(hostile, url):
    client, _ = hostile
    html, doc = get_page(client, url)
    assert_escaped(html, doc)


def test_hostile_title_and_facets_show_as_text(hostile):
    client, _ = hostile
    html, doc = get_page(client, "/?q=alert")
    assert HOSTILE_TITLE in hit_titles(doc)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Atelier" in html
    box = checkbox(doc, "keyword", "javascript:alert(1)")
    assert doc.find("label", for_=box.attrs["id"]).find("span", cls="facet__value").clean_text == "javascript:alert(1)"
    checkbox(doc, "dimension", HOSTILE_DIMENSION)


def test_hostile_snippet_is_escaped_and_marked(hostile):
    client, _ = hostile
    html, doc = get_page(client, "/?q=onerror")
    snippet = doc.find("p", cls="hit__snippet")
    assert "&lt;img src=x <mark>onerror</mark>=alert(1)&gt;" in html
    assert "<img src=x onerror=alert(1)>" in snippet.clean_text
    assert [child.tag for child in snippet.iter()] == ["mark"]


def test_hostile_chips_are_escaped(hostile):
    client, _ = hostile
    html, doc = get_page(client, "/?keyword=javascript%3Aalert%281%29&dimension=%22%3E%3Csvg+onload%3Dalert%281%29%3E")
    labels = [a.attrs["aria-label"] for a in doc.find("ul", cls="chips").find_all("a")]
    assert f"Retirer le filtre Dimension : {HOSTILE_DIMENSION}" in labels
    assert "Retirer le filtre Mot clé : javascript:alert(1)" in labels


def test_hostile_fiche_page_is_escaped(hostile):
    client, fiches = hostile
    fiche = fiches[0]
    html, doc = get_page(client, f"/actions/{fiche.id}")
    assert_escaped(html, doc)
    assert doc.find("h1").clean_text == HOSTILE_TITLE
    sections = {s.find("h2").clean_text: s for s in doc.find_all("section", cls="fiche__section")}
    assert "<img src=x onerror=alert(1)>" in sections["Résumé"].clean_text
    keyword_links = {a.clean_text: a.attrs["href"] for a in sections["Mots clés"].find_all("a")}
    assert keyword_links["javascript:alert(1)"].startswith("/?keyword=javascript")
    similar = doc.find("section", cls="similar").find_all("a")
    assert [a.clean_text for a in similar] == ["Atelier cuisine des familles"]
    html, doc = get_page(client, f"/actions/{fiches[1].id}")
    assert_escaped(html, doc)
    assert HOSTILE_TITLE in [a.clean_text for a in doc.find("section", cls="similar").find_all("a")]


def test_hostile_fiche_id_in_url_is_escaped(hostile):
    client, _ = hostile
    html, doc = get_page(client, "/actions/%3Cscript%3Ealert(1)%3C%2Fscript%3E", status=404)
    assert_escaped(html, doc)


def test_fiche_breadcrumb_returns_to_the_results_it_came_from(client, sample_fiches):
    fiche = by_title(sample_fiches, JARDIN)
    came_from = "http://localhost/?q=jardin&year=2015"
    _, doc = get_page(client, f"/actions/{fiche.id}")
    assert doc.find("nav", cls="breadcrumb").find("a").attrs["href"] == "/"
    response = client.get(f"/actions/{fiche.id}", headers={"Referer": came_from})
    link = parse_html(response.get_data(as_text=True)).find("nav", cls="breadcrumb").find("a")
    assert link.clean_text == "Résultats de la recherche"
    assert link.attrs["href"] == "/?q=jardin&year=2015"
    for foreign in ("http://evil.example/?q=x", "javascript:alert(1)", "http://localhost/actions/x"):
        response = client.get(f"/actions/{fiche.id}", headers={"Referer": foreign})
        link = parse_html(response.get_data(as_text=True)).find("nav", cls="breadcrumb").find("a")
        assert link.attrs["href"] == "/", foreign


def test_unfiltered_hint_runs_a_second_search_only_for_typed_queries(app, client, monkeypatch):
    engine = app.extensions["search_engine"]
    calls = []
    search = engine.search
    monkeypatch.setattr(engine, "search", lambda request: calls.append(request) or search(request))
    short = client.get("/", query_string={"q": "jardin", "year": "1900"}).get_data(as_text=True)
    assert len(calls) == 2 and "sans filtre" in short
    calls.clear()
    long_query = "jardin " + "x" * 300
    client.get("/", query_string={"q": long_query, "year": "1900"})
    assert len(calls) == 1


# -- issue 13: drill-down ----------------------------------------------------------------


def test_browse_sort_does_not_go_with_a_typed_query(client):
    """The browse page's default order (by year) is not part of the search form: a query is ranked by relevance."""
    _, doc = get_page(client, "/")
    select = doc.find("select", id="tri")
    assert select.attrs["form"] == "tri-form"
    search_form = doc.find("form", id="recherche")
    assert not [i for i in search_form.find_all("input") if i.attrs.get("name") == "sort"]
    _, sorted_doc = get_page(client, "/?q=parents&sort=title")
    kept = [i for i in sorted_doc.find("form", id="recherche").find_all("input") if i.attrs.get("name") == "sort"]
    assert [i.attrs["value"] for i in kept] == ["title"]
    sort_form = sorted_doc.find("form", id="tri-form")
    assert {(i.attrs["name"], i.attrs["value"]) for i in sort_form.find_all("input")} == {("q", "parents")}


def test_facet_lists_show_every_value_with_labels(client):
    _, doc = get_page(client, "/")
    department = next(fs for fs in doc.find_all("fieldset", cls="facet") if fs.attrs.get("data-facet") == "department")
    values = [span.clean_text for span in department.find_all("span", cls="facet__value")]
    assert len(values) == 11 and "Somme (80)" in values
    assert department.find("input", cls="facet__search-input").attrs["data-facet-search"] == "department"
    extra = [fs.attrs["data-facet"] for fs in doc.find_all("fieldset", cls="facet-extra") if fs.attrs.get("data-facet")]
    assert extra == ["region", "territory", "initiative", "partner", "funder"]


def test_unknown_department_on_a_page_is_a_400_naming_the_closest(client):
    html, _ = get_page(client, "/?department=Sommes", status=400)
    assert "Somme" in html


def test_fiche_page_shows_parsed_figures_partners_and_sharing(client, sample_fiches):
    fiche = next(f for f in sample_fiches if f.budget == 7668)
    html, doc = get_page(client, f"/actions/{fiche.id}")
    facts = {item.find("dt").clean_text: item.find("dd").clean_text for item in doc.find_all("div", cls="facts__item")}
    assert re.sub(r"\s", " ", facts["Budget"]) == "7 668 €" and facts["Personnes mobilisées"] == "32"
    assert facts["Région"] == fiche.region and facts["Département"].endswith(")")
    assert "CARSAT" in facts["Financeurs"] and facts["Partenaires"] == "Conseil départemental"
    assert [b.clean_text for b in doc.find_all("button") if b.attrs.get("data-action")] == ["Imprimer", "Copier le lien"]
    mail = next(a for a in doc.find_all("a") if a.clean_text == "Partager par e-mail")
    assert mail.attrs["href"].startswith("mailto:?subject=")
    assert f'<meta property="og:url" content="http://localhost/actions/{fiche.id}">' in html
    assert f'<link rel="canonical" href="/actions/{fiche.id}">' in html


def test_fiche_page_lists_similar_actions_in_its_department(client, sample_fiches):
    fiche = next(f for f in sample_fiches if f.department == "Loire-Atlantique")
    _, doc = get_page(client, f"/actions/{fiche.id}")
    local = doc.find("section", cls="similar-local")
    titles = [a.clean_text for a in local.find_all("a")]
    others = {f.title for f in sample_fiches if f.department == "Loire-Atlantique" and f.id != fiche.id}
    assert titles and set(titles) <= others


def test_table_view_sortable_by_name_department_year(client, sample_fiches):
    _, doc = get_page(client, "/?view=table&sort=department&per_page=50")
    table = doc.find("table", cls="hits-table")
    headers = [th.clean_text for th in table.find_all("th")]
    assert headers == ["Nom", "Département", "Année"]
    rows = [[td.clean_text for td in tr.find_all("td")] for tr in table.find_all("tr", cls="hits-table__row")]
    departments = [row[1] for row in rows]
    assert len(rows) == len(sample_fiches) and departments == sorted(departments, key=lambda d: fold(d).lower())
    links = {th.clean_text: query_of(th.find("a").attrs["href"]) for th in table.find_all("th")}
    assert links["Nom"] == {"sort": ["title"], "view": ["table"], "per_page": ["50"]}
    assert doc.find("th", **{"aria-sort": "ascending"}).clean_text == "Département"


def test_results_per_page_choice(client):
    _, doc = get_page(client, "/?per_page=20")
    select = doc.find("select", id="par-page")
    assert select.attrs["name"] == "per_page" and select.attrs["form"] == "recherche"
    assert [o.attrs["value"] for o in select.find_all("option") if "selected" in o.attrs] == ["20"]


def test_project_description_gives_close_actions_with_closeness(client):
    text = ("Nous voulons créer un jardin partagé au pied des immeubles avec les habitants du quartier, "
            "les familles, les enfants de l'école voisine et les personnes âgées isolées, pour recréer "
            "du lien social et sensibiliser au développement durable avec des ateliers de jardinage.")
    _, doc = get_page(client, "/?" + "q=" + text.replace(" ", "+"))
    assert re.fullmatch(r"\d+ actions? proches? de votre projet", count_heading(doc))
    meters = [int(m.attrs["value"]) for m in doc.find_all("meter")]
    assert meters[0] == 100 and meters == sorted(meters, reverse=True) and all(0 < v <= 100 for v in meters)
    assert doc.find("textarea", id="projet-texte").clean_text.startswith("Nous voulons")


def test_corrections_and_expansions_are_said_on_the_page(client):
    _, doc = get_page(client, "/?q=jardn")
    notices = [p.clean_text for p in doc.find_all("p", cls="notice")]
    assert "Mots corrigés : « jardn » → « jardin »" in [" ".join(n.split()) for n in notices]
    _, doc = get_page(client, "/?q=CAF")
    notices = [p.clean_text for p in doc.find_all("p", cls="notice")]
    assert any(n.startswith("Recherche élargie à : ") and "caisse d'allocations familiales" in n for n in notices)


def test_a_hostile_expansion_or_correction_is_escaped(client):
    response = client.get("/?q=<scriptt>alert(1)</scriptt>")
    assert b"<scriptt>" not in response.data
