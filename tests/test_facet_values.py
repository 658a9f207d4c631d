"""Facet values: typed values resolved to stored ones, and `GET /api/facets/<name>` (issue 13)."""

from __future__ import annotations

import pytest

from benchmarks.generate import write_corpus
from indexer.build import build_index
from indexer.parse import parse_corpus


def get(client, path, expect=200, **query):
    response = client.get(path, query_string=query)
    assert response.status_code == expect, response.get_data(as_text=True)
    return response.get_json()


def test_department_by_name_code_or_case_is_the_same_filter(client):
    expected = get(client, "/api/search", department="Somme")
    assert expected["total"] == 1
    for typed in ("80", "somme", "SOMME"):
        data = get(client, "/api/search", department=typed)
        assert [h["id"] for h in data["hits"]] == [h["id"] for h in expected["hits"]]
        assert data["filters"] == {"department": ["Somme"]}


def test_unknown_department_is_a_400_with_the_closest(client):
    data = get(client, "/api/search", expect=400, department="Sommes")
    assert data["error"]["code"] == "unknown_value"
    assert "« Somme »" in data["error"]["message"]


def test_other_facets_tolerate_case_and_accents(client):
    assert get(client, "/api/search", keyword="parentalite")["total"] == 8
    assert get(client, "/api/search", public="FAMILLES")["filters"] == {"public": ["familles"]}


def test_malformed_year_and_range_are_400_in_french(client):
    assert "année" in get(client, "/api/search", expect=400, year="abc")["error"]["message"]
    assert "entier" in get(client, "/api/search", expect=400, budget_min="beaucoup")["error"]["message"]
    assert "dépasse" in get(client, "/api/search", expect=400, budget_min="10", budget_max="5")["error"]["message"]


def test_unknown_parameter_is_a_400_with_a_hint(client):
    error = get(client, "/api/search", expect=400, departement="Somme")["error"]
    assert error["code"] == "unknown_parameter"
    assert "vouliez-vous dire department ?" in error["message"] and "budget_min" in error["message"]
    assert get(client, "/api/search", expect=400, format="csv")["error"]["code"] == "unknown_parameter"
    assert get(client, "/api/suggest", expect=400, q="jar", x="1")["error"]["code"] == "unknown_parameter"


def test_pages_ignore_unknown_parameters_but_say_so(client):
    response = client.get("/?departement=Somme")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "14 actions trouvées" in html
    assert "ignoré" in html and "vouliez-vous dire department ?" in html


def test_budget_range_filters(client, sample_fiches):
    data = get(client, "/api/search", budget_min="1000", budget_max="10000", per_page="50")
    expected = {f.id for f in sample_fiches if f.budget is not None and 1000 <= f.budget <= 10000}
    assert expected and {h["id"] for h in data["hits"]} == expected and data["total"] == len(expected)
    only_min = get(client, "/api/search", budget_min="300000")
    assert only_min["total"] == 1 and only_min["hits"][0]["title"] == "Résidence Jeunes"
    people = get(client, "/api/search", participants_max="10", per_page="50")
    assert {h["id"] for h in people["hits"]} == {f.id for f in sample_fiches
                                                 if f.participants is not None and f.participants <= 10}


def test_search_has_new_facets_with_labels(client):
    facets = get(client, "/api/search")["facets"]
    assert {"region", "partner", "funder", "territory", "initiative"} <= set(facets)
    region = {row["value"]: row["count"] for row in facets["region"]}
    assert region["Pays de la Loire"] == 4
    funder = {row["value"] for row in facets["funder"]}
    assert {"CAF", "CARSAT"} <= funder
    somme = next(row for row in facets["department"] if row["value"] == "Somme")
    assert somme["label"] == "Somme (80)"
    familles = next(row for row in facets["public"] if row["value"] == "familles")
    assert familles["label"] == "Familles"


def test_facet_limit_is_chosen_by_the_caller(client):
    assert len(get(client, "/api/search")["facets"]["department"]) == 11
    assert len(get(client, "/api/search", facet_limit="3")["facets"]["department"]) == 3
    limited = get(client, "/api/search", facet_limit="1", department="Somme")["facets"]["department"]
    assert [row["value"] for row in limited][-1] == "Somme"


def test_facet_values_endpoint_prefix_and_limit(client):
    data = get(client, "/api/facets/department")
    assert data["facet"] == "department" and data["matching_values"] == len(data["values"]) == 11
    assert sum(row["count"] for row in data["values"]) == data["total"] == 14
    loire = get(client, "/api/facets/department", prefix="loir")
    assert {row["value"] for row in loire["values"]} == {"Loire-Atlantique", "Loir-et-Cher", "Eure-et-Loir"}
    assert [row["value"] for row in get(client, "/api/facets/department", prefix="80")["values"]] == ["Somme"]
    assert [row["value"] for row in get(client, "/api/facets/department", prefix="ISE")["values"]] == ["Isère"]
    one = get(client, "/api/facets/department", limit="1")
    assert len(one["values"]) == 1 and one["matching_values"] == 11


def test_facet_values_are_disjunctive_under_query_and_filters(client):
    data = get(client, "/api/facets/keyword", keyword="Parentalité")
    rows = {row["value"]: row for row in data["values"]}
    assert rows["Parentalité"]["selected"] and rows["Santé"]["count"] == 3
    narrowed = get(client, "/api/facets/department", q="jardin")
    assert [(r["value"], r["count"]) for r in narrowed["values"]] == [("Isère", 1)]


def test_facet_values_errors(client):
    assert get(client, "/api/facets/nope", expect=404)["error"]["code"] == "unknown_facet"
    assert get(client, "/api/facets/department", expect=400, limit="0")["error"]["code"] == "invalid_parameter"
    assert get(client, "/api/facets/department", expect=400, prefixe="x")["error"]["code"] == "unknown_parameter"


@pytest.fixture(scope="module")
def national_client(tmp_path_factory):
    """600 generated fiches over many départements."""
    from search_app import create_app

    folder = tmp_path_factory.mktemp("national")
    write_corpus(600, folder, seed=5, files=1, procs=1)
    result = parse_corpus(folder)
    root = tmp_path_factory.mktemp("national-index")
    build_index(result.fiches, root)
    app = create_app({"INDEX_DIR": root, "CORPUS_DIR": folder, "BUILD_IF_MISSING": False})
    return app.test_client(), result.fiches


def test_every_departement_is_listed_and_counts_add_up(national_client):
    client, fiches = national_client
    data = get(client, "/api/facets/department")
    departements = {f.department_name for f in fiches}
    assert len(departements) > 50
    assert {row["value"] for row in data["values"]} == departements
    assert sum(row["count"] for row in data["values"]) == len(fiches) == data["total"]
    search = get(client, "/api/search")["facets"]["department"]
    assert len(search) == len(departements)


def test_region_drills_down_to_its_departements(national_client):
    client, fiches = national_client
    data = get(client, "/api/facets/department", region="Hauts-de-France")
    assert {row["value"] for row in data["values"] if row["count"]} == {
        f.department_name for f in fiches if f.region == "Hauts-de-France"}
