"""Old fiche URLs over HTTP: same URL after a title's case change, 301 to a replacement, 410 otherwise."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest

from indexer.build import build_index, remove_fiche
from indexer.parse import fiche_id, parse_corpus

TURIN = "Sortie Turin"


@pytest.fixture
def root(tmp_path, sample_fiches):
    build_index(sample_fiches, tmp_path / "index")
    return tmp_path / "index"


@pytest.fixture
def client(root):
    from search_app import create_app

    return create_app({"INDEX_DIR": root, "BUILD_IF_MISSING": False}).test_client()


def turin(fiches):
    return next(f for f in fiches if f.title == TURIN)


def test_a_title_case_change_keeps_its_url(client, root, sample_corpus, tmp_path):
    old_id = turin(parse_corpus(sample_corpus).fiches).id
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = (sample_corpus / "actions-centres-sociaux-2015.txt").read_text(encoding="utf-8")
    (corpus / "c.txt").write_text(text.replace(f"\n{TURIN}\n", "\nSORTIE  TURIN\n"), encoding="utf-8")
    fiches = parse_corpus(corpus).fiches
    assert any(f.title == "SORTIE  TURIN" for f in fiches)
    build_index(fiches, root)
    response = client.get(f"/actions/{old_id}")
    assert response.status_code == 200 and "SORTIE  TURIN" in response.get_data(as_text=True)
    assert client.get(f"/api/actions/{old_id}").get_json()["title"] == "SORTIE  TURIN"


def test_a_replaced_fiche_redirects_permanently(client, root, sample_fiches):
    old = turin(sample_fiches)
    new = replace(old, title="Voyage des jeunes à Turin", id=fiche_id("Voyage des jeunes à Turin", old.structure, 0))
    build_index([new if f is old else f for f in sample_fiches], root)
    page = client.get(f"/actions/{old.id}")
    assert page.status_code == 301 and page.headers["Location"].endswith(f"/actions/{new.id}")
    api = client.get(f"/api/actions/{old.id}/similar?limit=3")
    assert api.status_code == 301
    location = urlsplit(api.headers["Location"])
    assert location.path == f"/api/actions/{new.id}/similar" and parse_qs(location.query) == {"limit": ["3"]}
    assert client.get(f"/api/actions/{old.id}", follow_redirects=True).get_json()["id"] == new.id


def test_a_replacement_replaced_in_turn_is_followed(client, root, sample_fiches):
    old = turin(sample_fiches)
    middle = replace(old, title="Turin deux", id=fiche_id("Turin deux", old.structure, 0))
    last = replace(old, title="Turin trois", id=fiche_id("Turin trois", old.structure, 0))
    build_index([middle if f is old else f for f in sample_fiches], root)
    build_index([last if f is old else f for f in sample_fiches], root)
    for stale in (old.id, middle.id):
        response = client.get(f"/actions/{stale}")
        assert response.status_code == 301 and response.headers["Location"].endswith(f"/actions/{last.id}")


def test_a_removed_fiche_is_gone_with_a_search_for_its_title(client, root, sample_fiches):
    old = turin(sample_fiches)
    build_index([f for f in sample_fiches if f is not old], root)
    page = client.get(f"/actions/{old.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 410
    assert "Cette action a été retirée" in html and '<html lang="fr">' in html
    assert 'href="/?q=Sortie+Turin"' in html
    api = client.get(f"/api/actions/{old.id}")
    assert api.status_code == 410
    assert api.get_json() == {"error": {"code": "action_removed",
                                        "message": "l'action « Sortie Turin » a été retirée du répertoire"}}


def test_removed_by_the_remove_command_is_gone_too(client, root, sample_fiches):
    remove_fiche(sample_fiches[0].id, root)
    assert client.get(f"/actions/{sample_fiches[0].id}").status_code == 410


def test_ids_never_served_are_still_404(client):
    assert client.get("/actions/jamais-vue-00000000").status_code == 404
    assert client.get("/api/actions/jamais-vue-00000000").get_json()["error"]["code"] == "action_not_found"


def test_gone_page_escapes_the_retired_title(client, root, sample_fiches):
    old = sample_fiches[0]
    hostile = replace(old, title="<script>alert(1)</script>", id="hostile-00000001")
    build_index([hostile, *sample_fiches[1:]], root)
    build_index(sample_fiches[1:], root)
    html = client.get("/actions/hostile-00000001").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
