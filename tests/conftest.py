"""Shared fixtures: the bundled corpus, an index built from it once, the app and its test client."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from indexer.build import build_index
from indexer.parse import parse_corpus

PROJECT_DIR = Path(__file__).resolve().parent.parent
SAMPLE_CORPUS = PROJECT_DIR / "corpus"
# One embedding cache for every index the tests build (and their subprocesses): a fiche is embedded once.
os.environ.setdefault("SEARCH_EMBEDDINGS_CACHE", str(PROJECT_DIR / "var" / "test-embeddings-cache"))
# Builds are lexical unless a test asks for vectors (embedding costs ~0.3 s a fiche): the sample index
# below has them, and so does the `app` fixture's service; tests of the semantic layer say so themselves.
os.environ.setdefault("SEARCH_SEMANTIC", "false")


@pytest.fixture(scope="session")
def sample_corpus() -> Path:
    return SAMPLE_CORPUS


@pytest.fixture(scope="session")
def sample_fiches(sample_corpus):
    result = parse_corpus(sample_corpus)
    assert not result.problems
    return result.fiches


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory, sample_fiches) -> Path:
    """An index of the bundled corpus, built once per test session (read-only for tests)."""
    root = tmp_path_factory.mktemp("index")
    build_index(sample_fiches, root, embed=True)
    return root


@pytest.fixture
def fresh_index(tmp_path, sample_index) -> Path:
    """A private copy of the sample index, for tests that write to it."""
    root = tmp_path / "index"
    shutil.copytree(sample_index, root)
    return root


@pytest.fixture(scope="session")
def app(sample_index, sample_corpus):
    from search_app import create_app

    app = create_app({"INDEX_DIR": sample_index, "CORPUS_DIR": sample_corpus, "BUILD_IF_MISSING": False,
                      "SEMANTIC": True})
    app.config["TESTING"] = True
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def by_title(fiches, title: str):
    return next(f for f in fiches if f.title == title)


@pytest.fixture
def command_line(monkeypatch, capsys):
    """A runner of a command line's `main` in-process: run(*args) → (exit code, stdout, stderr)."""
    import sys

    def runner(main):
        def run(*args: str) -> tuple[int, str, str]:
            monkeypatch.setattr(sys, "argv", ["centres-sociaux", *args])
            code = 0
            try:
                main()
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            out, err = capsys.readouterr()
            return code, out, err
        return run

    return runner


@pytest.fixture(scope="session")
def engine(sample_index):
    """The lexical engine over the sample index (the semantic layer has its own tests)."""
    from search_app.engine import SearchEngine

    return SearchEngine(sample_index, semantic=False)


def run(engine, q: str, **kwargs):
    """A search of the first 50 hits."""
    from search_app.results import SearchRequest

    return engine.search(SearchRequest.make(q, kwargs.pop("filters", None), per_page=50, **kwargs))


def titles(response) -> set[str]:
    return {hit.title for hit in response.hits}
