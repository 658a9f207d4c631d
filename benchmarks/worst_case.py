"""Crafted worst-case requests: the slowest answer any one request can cost.

    python -m benchmarks.worst_case [--n 10000] [--seed 1] [--workdir DIR] [--repeat 3]

Builds (or reuses) an index of N generated fiches, then sends each crafted
request (long words, many words, many operators, long paragraphs, many
filters, deep parentheses, big JSON bodies) through the whole Flask
application with the answer cache disabled, and prints every case's slowest
time, slowest first, against the 200 ms target. The first send of a case is
shown apart: it may read postings from disk once per index generation (they
are then cached), a cost no request can make the server pay twice. Exit
status 1 if a request answered 5xx.
"""

from __future__ import annotations

import json
import random
import string
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import click

from indexer.build import build_index, read_current
from indexer.parse import parse_corpus

from .generate import write_corpus

TARGET_MS = 200.0
PROJECT_DIR = Path(__file__).resolve().parent.parent
FRENCH = ("jardin partagé parentalité santé quartier habitants accompagnement scolaire jeunes familles "
          "insertion numérique solidarité vieillissement culture sortie atelier cuisine mobilité").split()
FACETS = ("dimension", "public", "keyword", "status", "department", "year")


@dataclass(frozen=True)
class Case:
    """One crafted request: a name, the method and path, and a JSON body for POST."""

    name: str
    method: str
    path: str
    body: dict | list | str | None = None


def _letters(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(n))


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def crafted_cases(max_chars: int = 10_000, seed: int = 1) -> list[Case]:
    """The worst cases, each within the documented limits (query ≤ max_chars, body ≤ 512 KiB)."""
    rng = random.Random(seed)
    long_word = "p" + _letters(rng, max_chars - 2)
    typos = " ".join(w[:-1] + rng.choice("xyz") for w in rng.choices(FRENCH, k=60))
    short_words = " ".join(_letters(rng, 6) for _ in range(max_chars // 7))
    long_words_ops = " OR ".join(_letters(rng, 90) for _ in range(60))
    paragraph = " ".join(rng.choices(FRENCH, k=max_chars // 10))[: max_chars - 1]
    many_filters = [(facet, f"{facet}-{_letters(rng, 180)}") for facet in FACETS for _ in range(10)]
    q = {"search": "/api/search?", "page": "/?"}
    cases = [
        Case("mot de 10 000 lettres", "GET", q["search"] + urlencode({"q": long_word})),
        Case("mot de 10 000 lettres, page + filtre", "GET", q["page"] + urlencode({"q": long_word, "keyword": "Santé"})),
        Case("60 mots mal orthographiés", "GET", q["search"] + urlencode({"q": typos})),
        Case("60 fautes, page + filtre", "GET", q["page"] + urlencode({"q": typos, "keyword": "Santé"})),
        Case("60 mots de 90 lettres OR", "GET", q["search"] + urlencode({"q": long_words_ops})),
        Case("1 400 mots inconnus", "GET", q["search"] + urlencode({"q": short_words})),
        Case("64 mots courts inconnus", "GET", q["search"] + urlencode({"q": " ".join(short_words.split()[:64])})),
        Case("opérateurs en rafale", "GET", q["search"] + urlencode({"q": ("jardin OR NOT -" * 700)[:max_chars]})),
        Case("champs en rafale", "GET", q["search"] + urlencode({"q": ("titre:jardin resume:santé " * 400)[:max_chars]})),
        Case("guillemets en rafale", "GET", q["search"] + urlencode({"q": ('"jardin partagé" ' * 600)[:max_chars]})),
        Case("parenthèses imbriquées ×4 000", "GET", q["search"] + urlencode({"q": "(" * 4000 + "jardin" + ")" * 4000})),
        Case("parenthèses ouvertes ×9 000", "GET", q["search"] + urlencode({"q": "(" * 9000 + "jardin"})),
        Case("paragraphe de 10 000 caractères", "GET", q["search"] + urlencode({"q": paragraph})),
        Case("paragraphe, page + filtres", "GET", q["page"] + urlencode({"q": paragraph, "keyword": "Santé",
                                                                          "year": "2015"})),
        Case("60 filtres de 200 caractères", "GET", q["search"] + urlencode(many_filters)),
        Case("60 filtres, page", "GET", q["page"] + urlencode([("q", "jardin"), *many_filters])),
        Case("complétion de 200 lettres", "GET", "/api/suggest?" + urlencode({"q": long_word[:200]})),
        Case("complétion d'une lettre", "GET", "/api/suggest?" + urlencode({"q": "p"})),
        Case("widget : mot de 10 000 lettres", "GET", "/embed?" + urlencode({"q": long_word})),
        Case("similaires : texte de 100 000 caractères", "POST", "/api/similar",
             {"text": (paragraph + " ") * 10, "limit": 50}),
        Case("similaires : 100 000 lettres d'un mot", "POST", "/api/similar",
             {"text": "p" + _letters(rng, 99_998)}),
        Case("similaires : JSON imbriqué ×1 000", "POST", "/api/similar", _nested(1000)),
        Case("similaires : JSON imbriqué ×100 000", "POST", "/api/similar", _nested(100_000)),
        Case("page 100 de tout", "GET", "/api/search?page=100&per_page=50"),
        Case("50 valeurs × 6 filtres (refusé)", "GET", q["page"] + urlencode(
            [(facet, f"{facet}-{i}") for facet in FACETS for i in range(50)])),
    ]
    return cases


def send(client, case: Case):
    """The case through a Flask test client; returns the response."""
    if case.method == "POST":
        data = case.body if isinstance(case.body, str) else json.dumps(case.body)
        return client.post(case.path, data=data, content_type="application/json")
    return client.get(case.path)


def prepare_index(n: int, seed: int, workdir: Path) -> Path:
    corpus = workdir / f"worst-corpus-n{n}-s{seed}"
    root = workdir / f"worst-index-n{n}-s{seed}"
    if not (corpus / ".done").exists():
        print(f"génération de {n} fiches dans {corpus}", file=sys.stderr)
        write_corpus(n, corpus, seed)
        (corpus / ".done").write_text("ok")
    try:
        read_current(root)
    except Exception:
        print(f"construction de l'index dans {root}", file=sys.stderr)
        build_index(parse_corpus(corpus).fiches, root, procs=2, embed=False)
    return root


def timed(client, case: Case, repeat: int) -> Iterator[tuple[float, int]]:
    for _ in range(repeat):
        started = time.perf_counter()
        response = send(client, case)
        yield (time.perf_counter() - started) * 1000, response.status_code


@click.command()
@click.option("--n", default=10_000, show_default=True, help="fiches générées")
@click.option("--seed", default=1, show_default=True)
@click.option("--workdir", type=click.Path(path_type=Path), default=PROJECT_DIR / "benchmarks" / "out",
              show_default=True)
@click.option("--repeat", default=3, show_default=True, help="envois de chaque requête (le plus lent compte)")
def main(n: int, seed: int, workdir: Path, repeat: int) -> None:
    from search_app import create_app

    root = prepare_index(n, seed, workdir)
    app = create_app({"INDEX_DIR": root, "BUILD_IF_MISSING": False, "CACHE_SIZE": 0})
    client = app.test_client()
    send(client, Case("échauffement", "GET", "/api/search?q=jardin"))
    rows = []
    for case in crafted_cases():
        first, first_status = next(timed(client, case, 1))
        samples = list(timed(client, case, repeat))
        statuses = sorted({first_status, *(status for _, status in samples)})
        rows.append((max(ms for ms, _ in samples), first, statuses, case))
    rows.sort(key=lambda row: row[0], reverse=True)
    print(f"| requête forgée ({n} fiches, cache désactivé) | plus lent (×{repeat}) | 1er envoi | statut "
          f"| ≤ {TARGET_MS:.0f} ms |")
    print("|---|---|---|---|---|")
    for slowest, first, statuses, case in rows:
        mark = "✓" if slowest <= TARGET_MS else "✗"
        print(f"| {case.name} | {slowest:.1f} ms | {first:.1f} ms | {'/'.join(map(str, statuses))} | {mark} |")
    print(f"\nle plus lent : {rows[0][3].name}, {rows[0][0]:.1f} ms")
    if any(status >= 500 for *_, statuses, _ in rows for status in statuses):
        sys.exit(1)


if __name__ == "__main__":
    main()
