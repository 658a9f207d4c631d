"""Health shared by the workers, and read errors of a damaged index answered 503 (never 500)."""

from __future__ import annotations

import os
import re

from indexer.build import read_current
from search_app.health import SharedHealth, health_report


def overwrite_postings(root, size: int = 64 * 1024) -> None:
    postings = next(read_current(root).path.glob("*.pst"))
    length = postings.stat().st_size
    with open(postings, "r+b") as handle:
        handle.seek(max(0, length // 2 - size // 2))
        handle.write(b"\xa5" * min(size, length))


def test_state_set_in_one_process_is_seen_in_another():
    health = SharedHealth()
    child = os.fork()
    if child == 0:
        health.set_workers(2, 1)
        health.mark_damaged("00000000000000000001-42")
        os._exit(0)
    os.waitpid(child, 0)
    assert health.workers() == (2, 1)
    assert health.damaged() == "00000000000000000001-42"


def test_report_is_ok_or_degraded_with_reasons():
    health = SharedHealth()
    stats = lambda: {"generation": "g1", "documents": 3}  # noqa: E731
    assert health_report(health, stats) == ({"status": "ok", "generation": "g1", "documents": 3}, 200)
    health.set_workers(2, 2)
    assert health_report(health, stats)[1] == 200
    health.set_workers(2, 1)
    health.mark_damaged("g1")
    body, status = health_report(health, stats)
    assert status == 503
    assert body == {"status": "degraded", "generation": "g1", "documents": 3,
                    "workers": {"expected": 2, "alive": 1},
                    "problems": ["la génération g1 a des fichiers endommagés",
                                 "1 processus de service sur 2 arrêté(s)"]}


def test_damage_while_serving_answers_503_in_french_and_health_degrades(fresh_index, sample_corpus, sample_fiches):
    from search_app import create_app

    app = create_app({"INDEX_DIR": fresh_index, "CORPUS_DIR": sample_corpus, "BUILD_IF_MISSING": False,
                      "CACHE_SIZE": 0})
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    overwrite_postings(fresh_index)
    words = sorted({w for f in sample_fiches for w in re.findall(r"\w{4,}", f.title + " " + f.summary)})
    statuses: dict[int, int] = {}
    unavailable = None
    for word in words:
        response = client.get(f"/api/search?q={word}")
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        if response.status_code == 503:
            unavailable = response.get_json()
    assert set(statuses) <= {200, 503}, statuses
    assert statuses.get(503), statuses
    assert unavailable == {"error": {"code": "index_unavailable",
                                     "message": "l'index de recherche est momentanément indisponible"}}
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "degraded"
    assert body["problems"] == [f"la génération {read_current(fresh_index).name} a des fichiers endommagés"]


def test_a_bug_is_still_a_500_when_the_index_is_intact(fresh_index, sample_corpus, monkeypatch):
    from search_app import create_app

    app = create_app({"INDEX_DIR": fresh_index, "CORPUS_DIR": sample_corpus, "BUILD_IF_MISSING": False,
                      "CACHE_SIZE": 0})

    def broken(*args, **kwargs):
        raise ZeroDivisionError("bogue")

    monkeypatch.setattr("search_app.engine.SearchEngine._search", broken)
    assert app.test_client().get("/api/search?q=jardin").status_code == 500
    assert app.test_client().get("/healthz").status_code == 200
