"""Statistics of a selection: /api/stats, the /statistiques page (SVG charts, map of départements), per_page=0."""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import parse_qs, urlsplit

import pytest

from indexer.build import build_index
from indexer.fiche import Fiche
from search_app.charts import bar_chart
from search_app.france_map import LEVELS, count_level, departements, find_departement, france_map
from search_app.stats import budget_summary, parse_amount

from test_views import get_page


def stats(client, **query) -> dict:
    response = client.get("/api/stats", query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def figure(data: dict, name: str) -> dict[str, int]:
    return {row["value"]: row["count"] for row in data["figures"][name]["values"]}


def test_counts_only_search_has_total_and_every_facet_no_hits(client):
    counts = client.get("/api/search", query_string={"q": "parents", "per_page": 0}).get_json()
    full = client.get("/api/search", query_string={"q": "parents", "per_page": 50}).get_json()
    assert counts["hits"] == [] and counts["per_page"] == 0
    assert counts["total"] == full["total"] == len(full["hits"]) > 0
    assert counts["facets"] == full["facets"]


def test_counts_only_stays_an_html_error(client):
    assert client.get("/?per_page=0").status_code == 400


def test_stats_count_the_selection_itself(client, sample_fiches):
    data = stats(client, keyword="Parentalité")
    chosen = [f for f in sample_fiches if "Parentalité" in f.keywords]
    assert data["total"] == len(chosen) > 1
    assert figure(data, "department") == Counter(f.department for f in chosen)
    assert figure(data, "year") == Counter(f.year for f in chosen)
    assert figure(data, "keyword") == Counter(k for f in chosen for k in f.keywords)
    assert figure(data, "public") == Counter(p for f in chosen for p in f.public)
    assert data["filters"] == {"keyword": ["Parentalité"]}
    assert {d["name"]: d["count"] for d in data["departements"]} == Counter(f.department for f in chosen)
    assert data["index"]["generation"]


def test_stats_follow_the_query_like_the_search(client):
    search = client.get("/api/search", query_string={"q": "jardin", "per_page": 0}).get_json()
    data = stats(client, q="jardin")
    assert data["total"] == search["total"]
    assert sum(figure(data, "dimension").values()) == search["total"]


def test_stats_refuse_bad_parameters_in_french(client):
    response = client.get("/api/stats", query_string={"q": "x" * 10_001})
    assert response.status_code == 400
    assert "trop longue" in response.get_json()["error"]["message"]


def test_statistics_page_has_svg_charts_with_tables_and_a_linked_map(client, sample_fiches):
    html, doc = get_page(client, "/statistiques?public=familles")
    chosen = [f for f in sample_fiches if "familles" in f.public]
    assert f"{len(chosen)} actions" in html
    figures = re.findall(r'<figure class="chart".*?</figure>', html, re.S)
    assert len(figures) >= 4
    for fig in figures:
        assert "<svg" in fig and "<table" in fig and "<rect" in fig
    map_svg = re.search(r'<svg class="france-map__svg".*?</svg>', html, re.S).group(0)
    assert map_svg.count("<rect") == 101
    links = re.findall(r'<a href="([^"]+)" class="france-map__link">', map_svg)
    present = {f.department for f in chosen}
    assert len(links) == len(present)
    targets = [parse_qs(urlsplit(link.replace("&amp;", "&")).query) for link in links]
    assert {t["department"][0] for t in targets} == present
    assert all(t["public"] == ["familles"] and urlsplit(link).path == "/" for t, link in zip(targets, links))


def test_statistics_page_without_results_and_from_the_results_page(client):
    html, _ = get_page(client, "/statistiques?q=zzzqqqxxx")
    assert "Aucune action ne correspond" in html
    home, _ = get_page(client, "/?q=parents&department=Loire-Atlantique")
    assert 'href="/statistiques?q=parents&amp;department=Loire-Atlantique"' in home
    assert 'href="/api/export?q=parents&amp;department=Loire-Atlantique&amp;format=csv"' in home
    assert "Exporter (CSV)" in home


def test_statistics_page_escapes_corpus_values(tmp_path):
    from search_app import create_app

    root = tmp_path / "index"
    build_index([Fiche(id="x-00000001", title="Atelier", department="<img src=x onerror=alert(1)>",
                       year="2019", keywords=["<script>alert(1)</script>"], summary="Un atelier.")], root)
    client = create_app({"INDEX_DIR": root, "BUILD_IF_MISSING": False}).test_client()
    html = client.get("/statistiques").get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_map_has_the_101_departements_with_overseas_insets():
    all_departements = departements()
    assert len(all_departements) == 101
    assert len({d.code for d in all_departements}) == 101
    assert len({(d.column, d.row) for d in all_departements}) == 101
    assert {d.code for d in all_departements if d.overseas} == {"971", "972", "973", "974", "976"}
    assert {"2A", "2B", "75", "90", "95"} <= {d.code for d in all_departements}


@pytest.mark.parametrize("value, code", [
    ("Isère", "38"), ("isere", "38"), ("BOUCHES DU RHONE", "13"), ("Côte-d’Or", "21"),
    ("38 - Isère", "38"), ("La Réunion", "974"), ("Réunion", "974"), ("2A", "2A"),
])
def test_corpus_values_name_their_departement(value, code):
    assert find_departement(value).code == code


def test_map_colours_by_count_and_keeps_unknown_values_aside():
    tiles = france_map([("Somme", 10), ("Isère", 1), ("Atlantide", 3)], lambda v: f"/?department={v}")
    by_code = {tile.departement.code: tile for tile in tiles.tiles}
    assert by_code["80"].level == LEVELS and by_code["80"].url == "/?department=Somme"
    assert 1 <= by_code["38"].level < LEVELS
    assert by_code["75"].level == 0 and by_code["75"].url is None
    assert tiles.unplaced == [("Atlantide", 3)]
    assert count_level(0, 10) == 0 and count_level(1, 10000) == 1


def test_bar_chart_lengths_are_relative_to_the_largest():
    chart = bar_chart([("a", 10), ("b", 5), ("c", 0)], total=20)
    assert [bar.length for bar in chart.bars] == [300, 150, 0]
    assert [bar.share for bar in chart.bars] == [50.0, 25.0, 0.0]


def test_budget_median_and_bands_from_amounts_only():
    assert parse_amount("12 500 €") == 12500 and parse_amount("3 k€") == 3000 and parse_amount("800") == 800
    assert parse_amount("de 1 000 à 5 000 €") is None
    summary = budget_summary([("500", 2), ("12 000 €", 1), ("150000", 1)])
    assert summary.fiches == 4 and summary.median == 6250
    assert [count for _, count in summary.bands] == [2, 0, 1, 0, 1]
    assert budget_summary([("de 1 000 à 5 000 €", 3)]) is None
