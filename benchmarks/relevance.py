"""The relevance benchmark: the judged dev set through /api/search, tantivy and SQLite FTS5, one table of quality figures.

    python -m benchmarks.relevance [--eval DIR] [--corpus DIR] [--worst 12] [--json FILE] [--only ours]

Indexes the sample corpus and the eval fiches (`EVAL/fiches/*.txt`) into a
temporary directory with `indexer.build.build_index`, then runs every query of
`EVAL/queries.jsonl` through the same code as `GET /api/search` (the Flask app
of `search_app.create_app`, its test client, the query's filters as URL
parameters, `per_page=10`). The peers index the same fiches and answer the OR
of the query's words with the same filters. Metrics are in
`relevance_metrics`, the printed tables in `relevance_report`.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import click

from indexer.build import build_index
from indexer.fiche import Fiche
from indexer.parse import parse_corpus

from .peers import SQLITE, TANTIVY, Peer
from .prepare import PROJECT_DIR, log
from .relevance_metrics import present_grades, query_metrics, ranked_grades
from .relevance_report import QueryResult, SystemResult, json_figures, metrics_table, worst_table

DEFAULT_EVAL = PROJECT_DIR.parent / "shared" / "eval"
DEFAULT_CORPUS = PROJECT_DIR / "corpus"
TOP = 10
RELEVANCE_PEERS: tuple[Peer, ...] = (TANTIVY, SQLITE)
SYSTEMS = ("ours", *(peer.key for peer in RELEVANCE_PEERS))


@dataclass(frozen=True)
class EvalQuery:
    id: str
    type: str
    q: str
    filters: dict[str, list[str]]
    judgments: dict[str, int]


def read_queries(path: Path) -> list[EvalQuery]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{path} : fichier des requêtes illisible ({exc})") from exc
    queries = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            queries.append(EvalQuery(data["id"], data["type"], data["q"], data.get("filters") or {},
                                     {title: int(grade) for title, grade in data["judgments"].items()}))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise click.ClickException(f"{path}:{number}: requête illisible ({exc})") from exc
    return queries


def read_fiches(*folders: Path) -> list[Fiche]:
    fiches = []
    for folder in folders:
        parsed = parse_corpus(folder)
        if parsed.problems or not parsed.fiches:
            first = next((f" ; {p.path}:{p.line}: {p.reason}" for p in parsed.problems), "")
            raise click.ClickException(f"{folder} : {len(parsed.fiches)} fiche(s), "
                                       f"{len(parsed.problems)} problème(s){first}")
        fiches += parsed.fiches
    return fiches


Answer = Callable[[EvalQuery], tuple[list[str], int]]


def our_answer(index_root: Path, corpus: Path) -> Answer:
    """Titles of the first page and the total, as GET /api/search returns them."""
    from search_app import create_app

    client = create_app({"INDEX_DIR": index_root, "CORPUS_DIR": corpus, "BUILD_IF_MISSING": False}).test_client()

    def answer(query: EvalQuery) -> tuple[list[str], int]:
        params = [("q", query.q), *((name, value) for name, values in query.filters.items() for value in values),
                  ("per_page", str(TOP))]
        response = client.get("/api/search?" + urlencode(params))
        if response.status_code != 200:
            raise click.ClickException(f"{query.id} : /api/search a répondu {response.status_code} "
                                       f"{response.get_data(as_text=True)[:200]}")
        data = response.get_json()
        return [hit["title"] for hit in data["hits"]], data["total"]

    return answer


def peer_answer(peer: Peer, fiches: list[Fiche], workdir: Path) -> tuple[Answer, Callable[[], None]] | None:
    """The peer's top titles for the OR of the query's words, or None (with a message) when it cannot run."""
    reason = peer.unavailable_reason()
    if reason:
        log(f"{peer.label} : {reason}")
        return None
    path = workdir / peer.artefact.format(tag="eval")
    peer.module.build(fiches, path)
    searcher = peer.open(path)

    def answer(query: EvalQuery) -> tuple[list[str], int]:
        titles = [record["title"] for record in searcher.ranked(query.q, query.filters, TOP)]
        return titles, len(titles)

    return answer, searcher.close


def evaluate(name: str, answer: Answer, queries: list[EvalQuery], titles: list[str]) -> SystemResult:
    """Every query's metrics; the time per query is taken after one untimed query has opened the index."""
    if queries:
        answer(queries[0])
    started = time.perf_counter()
    results = []
    for query in queries:
        hits, total = answer(query)
        grades = ranked_grades(hits, query.judgments)
        ideal = present_grades(query.judgments, titles)
        results.append(QueryResult(query.id, query.type, query.q, hits, grades[:len(hits)],
                                   query_metrics(grades, ideal, total, TOP)))
    return SystemResult(name, results, (time.perf_counter() - started) * 1000 / max(1, len(queries)))


def run(eval_dir: Path, corpus: Path, only: str | None) -> tuple[list[SystemResult], dict]:
    queries = read_queries(eval_dir / "queries.jsonl")
    fiches = read_fiches(corpus, eval_dir / "fiches")
    titles = [fiche.title for fiche in fiches]
    systems = []
    with tempfile.TemporaryDirectory(prefix="relevance-") as tmp:
        workdir = Path(tmp)
        log(f"index de {len(fiches)} fiches, {len(queries)} requêtes")
        started = time.perf_counter()
        build_index(fiches, workdir / "index", procs=1)
        build_seconds = time.perf_counter() - started
        systems.append(evaluate("ours", our_answer(workdir / "index", corpus), queries, titles))
        for peer in RELEVANCE_PEERS:
            if only not in (None, peer.key):
                continue
            made = peer_answer(peer, fiches, workdir)
            if made:
                answer, close = made
                try:
                    systems.append(evaluate(peer.key, answer, queries, titles))
                finally:
                    close()
    info = {"eval": str(eval_dir), "corpus": str(corpus), "fiches": len(fiches), "queries": len(queries),
            "build_seconds": build_seconds}
    return systems, info


@click.command()
@click.option("--eval", "eval_dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
              default=DEFAULT_EVAL, show_default=True, help="Jeu d'évaluation (queries.jsonl et fiches/).")
@click.option("--corpus", type=click.Path(exists=True, path_type=Path), default=DEFAULT_CORPUS, show_default=True,
              help="Corpus indexé avec les fiches d'évaluation.")
@click.option("--worst", type=click.IntRange(min=0), default=12, show_default=True,
              help="Nombre de pires requêtes détaillées.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Écrit tous les chiffres dans ce fichier JSON.")
@click.option("--only", type=click.Choice(SYSTEMS), default=None, help="Un seul système (« ours » : sans les pairs).")
def main(eval_dir: Path, corpus: Path, worst: int, json_path: Path | None, only: str | None) -> None:
    """Mesure la pertinence (nDCG@10, MRR, rappel, succès@1, zéro résultat) sur le jeu d'évaluation jugé."""
    systems, info = run(eval_dir.resolve(), corpus.resolve(), only)
    click.echo(metrics_table(systems, info))
    if worst:
        click.echo("")
        click.echo(worst_table(systems, worst))
    if json_path:
        json_path.write_text(json.dumps(json_figures(systems, info), indent=2, ensure_ascii=False), encoding="utf-8")
        log(f"chiffres écrits dans {json_path}")


if __name__ == "__main__":
    main()
