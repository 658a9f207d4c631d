"""Data version on every answer (index generation, build date), ETag, Cache-Control and 304."""

from __future__ import annotations

from datetime import datetime

import pytest

from indexer.build import add_fiches, read_current
from indexer.fiche import Fiche

READ_ENDPOINTS = ["/api/search?q=jardin", "/api/search?per_page=0", "/api/suggest?q=jar", "/api/stats",
                  "/api/similar?text=jardin", "/api/openapi.json", "/api/export?format=jsonl", "/statistiques",
                  "/api"]


@pytest.mark.parametrize("path", ["/api/search?q=jardin", "/api/suggest?q=jar", "/api/stats", "/api/openapi.json",
                                  "/api/similar?text=jardin"])
def test_every_json_answer_carries_the_generation_and_its_build_date(client, sample_index, path):
    data = client.get(path).get_json()
    generation = read_current(sample_index)
    assert data["index"]["generation"] == generation.name
    built = datetime.fromisoformat(data["index"]["built_at"])
    assert built.tzinfo is not None and abs(built.timestamp() - int(generation.name.split("-")[0]) / 1e9) < 1


def test_fiche_and_similar_answers_carry_it_too(client, sample_fiches, sample_index):
    fiche_id = sample_fiches[0].id
    for path in (f"/api/actions/{fiche_id}", f"/api/actions/{fiche_id}/similar"):
        assert client.get(path).get_json()["index"]["generation"] == read_current(sample_index).name
    posted = client.post("/api/similar", json={"text": "jardin partagé"}).get_json()
    assert posted["index"]["generation"] == read_current(sample_index).name


def test_errors_keep_their_single_error_key_and_health_its_generation(client, sample_index):
    assert set(client.get("/api/search?page=0").get_json()) == {"error"}
    assert client.get("/healthz").get_json()["generation"] == read_current(sample_index).name


@pytest.mark.parametrize("path", READ_ENDPOINTS)
def test_read_answers_revalidate_with_their_etag(client, path):
    first = client.get(path)
    assert first.status_code == 200
    tag = first.headers["ETag"]
    assert first.headers["Cache-Control"].startswith("public, max-age=")
    again = client.get(path, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == tag


def test_etag_differs_by_request_and_origin(client):
    one = client.get("/api/search?q=jardin").headers["ETag"]
    assert client.get("/api/search?q=parents").headers["ETag"] != one
    assert client.get("/api/search?q=jardin", headers={"Origin": "https://a.example"}).headers["ETag"] != one
    stale = client.get("/api/search?q=parents", headers={"If-None-Match": one})
    assert stale.status_code == 200


def test_a_new_generation_changes_every_tag(fresh_index):
    from search_app import create_app

    client = create_app({"INDEX_DIR": fresh_index, "BUILD_IF_MISSING": False}).test_client()
    first = client.get("/api/search?q=jardin")
    tag, generation = first.headers["ETag"], first.get_json()["index"]["generation"]
    add_fiches([Fiche(id="nouvelle-00000001", title="Jardin des possibles", summary="Un jardin.")], fresh_index)
    after = client.get("/api/search?q=jardin", headers={"If-None-Match": tag})
    assert after.status_code == 200 and after.headers["ETag"] != tag
    assert after.get_json()["index"]["generation"] != generation
    assert after.get_json()["total"] == first.get_json()["total"] + 1


def test_posts_and_health_are_not_cached(client):
    assert "ETag" not in client.post("/api/similar", json={"text": "jardin"}).headers
    assert "ETag" not in client.get("/healthz").headers
