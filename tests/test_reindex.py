"""Re-indexing while serving: concurrent searches see one complete generation at a time, never a mix.

Every fiche of a generation carries that generation's marker word and a common word,
so a search's total and hit ids tell which generation answered it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field, replace

import pytest

from indexer.build import add_fiches, build_index
from search_app.engine import SearchEngine
from search_app.results import SearchRequest

READERS_DIRECT = 4
READERS_HTTP = 4
ROUNDS = 2
DEADLINE_SECONDS = 20.0
MAX_REQUESTS_PER_READER = 100_000
PAUSE_SECONDS = 0.001  # lets the writer thread run between searches


def tagged(fiches, suffix: str, marker: str):
    return [replace(f, id=f"{f.id}-{suffix}", summary=f"{f.summary} {marker} zzcommun") for f in fiches]


@dataclass
class Corpora:
    alpha: list
    beta: list
    extra: list

    def expected(self) -> dict[str, frozenset[str]]:
        """Complete contents a reader may see, by name: ids of every fiche in that state."""
        return {
            "alpha": frozenset(f.id for f in self.alpha),
            "beta": frozenset(f.id for f in self.beta),
            "beta+extra": frozenset(f.id for f in self.beta + self.extra),
        }


@pytest.fixture
def corpora(sample_fiches) -> Corpora:
    return Corpora(alpha=tagged(sample_fiches, "a", "zzalpha"),
                   beta=tagged(sample_fiches[:10], "b", "zzbeta"),
                   extra=tagged(sample_fiches[10:13], "x", "zzbeta"))


@dataclass
class Observations:
    errors: list[str] = field(default_factory=list)
    generations: set[str] = field(default_factory=set)
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def error(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)

    def saw(self, generation: str | None) -> None:
        with self.lock:
            self.requests += 1
            if generation:
                self.generations.add(generation)


def check_answer(ids: set[str], total: int, states: dict[str, frozenset[str]], year_count: int) -> str | None:
    """None if the answer is one complete state; otherwise what is wrong with it."""
    if not any(total == len(expected) and ids <= expected for expected in states.values()):
        return f"total {total} with ids {sorted(ids)[:3]}… matches no complete generation"
    if len(ids) != min(total, 50):
        return f"{len(ids)} hits for a total of {total}"
    if year_count != total:
        return f"year facet counts {year_count} documents, total is {total}"
    return None


def read_loop(search, stop: threading.Event, seen: Observations, states) -> None:
    """Searches the common word until told to stop; every answer must be one complete generation."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    for _ in range(MAX_REQUESTS_PER_READER):
        if stop.is_set() or time.monotonic() > deadline:
            return
        try:
            generation, total, ids, year_count = search()
        except Exception as exc:  # every failure is collected and reported by the test
            seen.error(f"{type(exc).__name__}: {exc}")
            continue
        seen.saw(generation)
        problem = check_answer(ids, total, states, year_count)
        if problem:
            seen.error(problem)
        time.sleep(PAUSE_SECONDS)


def engine_search(engine: SearchEngine):
    def search():
        response = engine.search(SearchRequest.make("zzcommun", per_page=50))
        year = sum(v.count for v in response.facets.get("year", []))
        return response.generation, response.total, {hit.id for hit in response.hits}, year
    return search


def http_search(app):
    client = app.test_client()

    def search():
        response = client.get("/api/search", query_string={"q": "zzcommun", "per_page": 50})
        if response.status_code != 200:
            raise AssertionError(f"HTTP {response.status_code}: {response.get_data(as_text=True)[:200]}")
        data = response.get_json()
        year = sum(v["count"] for v in data["facets"].get("year", []))
        return None, data["total"], {hit["id"] for hit in data["hits"]}, year
    return search


def totals(engine: SearchEngine, word: str) -> int:
    return engine.search(SearchRequest.make(word, per_page=1)).total


def test_searches_during_rebuilds_see_complete_generations(tmp_path, corpora, sample_corpus):
    from search_app import create_app

    root = tmp_path / "index"
    build_index(corpora.alpha, root)
    engine = SearchEngine(root)
    app = create_app({"INDEX_DIR": root, "CORPUS_DIR": sample_corpus, "BUILD_IF_MISSING": False})
    states = corpora.expected()
    seen = Observations()
    stop = threading.Event()
    readers = [threading.Thread(target=read_loop, args=(engine_search(engine), stop, seen, states))
               for _ in range(READERS_DIRECT)]
    readers += [threading.Thread(target=read_loop, args=(http_search(app), stop, seen, states))
                for _ in range(READERS_HTTP)]
    for reader in readers:
        reader.start()
    visible: list[tuple[str, int, int, int]] = []
    started = time.monotonic()
    try:
        for _ in range(ROUNDS):
            build_index(corpora.beta, root)
            visible.append(("beta", totals(engine, "zzbeta"), totals(engine, "zzalpha"), totals(engine, "zzcommun")))
            add_fiches(corpora.extra, root)
            visible.append(("beta+extra", totals(engine, "zzbeta"), totals(engine, "zzalpha"),
                            totals(engine, "zzcommun")))
            build_index(corpora.alpha, root)
            visible.append(("alpha", totals(engine, "zzbeta"), totals(engine, "zzalpha"), totals(engine, "zzcommun")))
            if time.monotonic() - started > DEADLINE_SECONDS:
                break
        time.sleep(0.2)
    finally:
        stop.set()
        for reader in readers:
            reader.join(timeout=DEADLINE_SECONDS)
    assert not any(reader.is_alive() for reader in readers)
    assert seen.errors == [], seen.errors[:5]
    assert seen.requests > 0
    assert len(seen.generations) >= 2, "readers should have seen the index change under them"
    expected_after = {"beta": (10, 0, 10), "beta+extra": (13, 0, 13), "alpha": (0, 14, 14)}
    for state, beta, alpha, common in visible:
        assert (beta, alpha, common) == expected_after[state], state


def test_new_generation_is_visible_to_the_app_once_it_lands(tmp_path, corpora, sample_corpus):
    from search_app import create_app

    root = tmp_path / "index"
    build_index(corpora.alpha, root)
    client = create_app({"INDEX_DIR": root, "CORPUS_DIR": sample_corpus, "BUILD_IF_MISSING": False}).test_client()
    before = client.get("/healthz").get_json()
    assert before["documents"] == 14
    assert client.get("/api/search?q=zzbeta").get_json()["total"] == 0
    report = build_index(corpora.beta, root)
    after = client.get("/healthz").get_json()
    assert (after["generation"], after["documents"]) == (report.generation.name, 10)
    assert client.get("/api/search?q=zzbeta").get_json()["total"] == 10
    assert client.get("/api/search?q=zzalpha").get_json()["total"] == 0
    added = add_fiches(corpora.extra, root)
    assert client.get("/healthz").get_json() == {"status": "ok", "generation": added.name, "documents": 13,
                                                "semantic": False}
    fiche_id = corpora.extra[0].id
    assert client.get(f"/api/actions/{fiche_id}").get_json()["id"] == fiche_id


def test_a_build_that_fails_leaves_the_served_generation(tmp_path, corpora):
    root = tmp_path / "index"
    build_index(corpora.alpha, root)
    engine = SearchEngine(root)
    served = engine.stats()

    def explode(generation):
        raise RuntimeError("construction interrompue")

    with pytest.raises(RuntimeError):
        build_index(corpora.beta, root, before_switch=explode)
    assert engine.stats() == served
    assert totals(engine, "zzalpha") == 14
