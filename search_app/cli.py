"""Command line: `python -m search_app search|show|serve` and, from the indexer, `build|add|remove|export`.

One command (`centres-sociaux`) for everything; the indexer keeps its own
(`python -m indexer`) and never imports this side. Exit codes are the indexer's:
0 success, 1 some fiches rejected, 2 usage error, 3 index missing, corrupt or busy.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from indexer import cli as indexer_cli
from indexer.config import default_index_dir
from indexer.schema import FACET_LABELS, PUBLIC_FACETS

from .engine import SearchEngine
from .results import SearchRequest, SearchResponse
from .serialize import response_to_dict
from .serve import main as serve_command

index_option = click.option("--index", "index", type=click.Path(path_type=Path), default=None,
                            help="Dossier de l'index.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Recherche des fiches action des centres sociaux."""


for _name in ("build", "add", "remove", "export"):
    cli.add_command(indexer_cli.cli.commands[_name])
cli.add_command(serve_command, "serve")


def _engine(index: Path | None) -> SearchEngine:
    return SearchEngine(index or default_index_dir(), cache_size=0)


def _parse_filters(values: tuple[str, ...]) -> dict[str, list[str]]:
    filters: dict[str, list[str]] = {}
    for item in values:
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name or not value:
            raise click.BadParameter(f"« {item} » : attendu facette=valeur", param_hint="--filter")
        if name not in PUBLIC_FACETS:
            raise click.BadParameter(f"facette inconnue « {name} » : facettes possibles {', '.join(PUBLIC_FACETS)}",
                                     param_hint="--filter")
        filters.setdefault(name, []).append(value)
    return filters


@cli.command()
@click.argument("query", default="")
@click.option("--filter", "filters", multiple=True, help="facette=valeur (répétable).")
@click.option("--page", default=1, type=click.IntRange(min=1))
@click.option("--per-page", default=10, type=click.IntRange(1, 100))
@click.option("--json", "as_json", is_flag=True, help="Réponse complète en JSON.")
@index_option
def search(query: str, filters: tuple[str, ...], page: int, per_page: int, as_json: bool,
           index: Path | None) -> None:
    """Recherche classée, avec le décompte des facettes."""
    response = _engine(index).search(SearchRequest.make(query, _parse_filters(filters), page, per_page))
    if as_json:
        click.echo(json.dumps(response_to_dict(response), ensure_ascii=False, indent=2))
    else:
        click.echo(_as_text(response, first_rank=(page - 1) * per_page + 1))


def _as_text(response: SearchResponse, first_rank: int) -> str:
    note = " (élargie : au moins un des mots)" if response.relaxed else ""
    target = f" pour « {response.query} »" if response.query else ""
    lines = [f"{response.total} résultat(s){note}{target}"]
    if response.suggestion:
        lines.append(f"Vouliez-vous dire « {response.suggestion} » ?")
    for rank, hit in enumerate(response.hits, start=first_rank):
        lines.append(f"{rank:3}. {hit.title} — {hit.structure} ({hit.department}, {hit.year})  [{hit.id}]")
    for name, values in response.facets.items():
        if values:
            shown = ", ".join(f"{v.value} ({v.count})" for v in values[:8])
            lines.append(f"  {FACET_LABELS.get(name, name)} [{name}] : {shown}")
    return "\n".join(lines)


@cli.command()
@click.argument("fiche_id")
@index_option
def show(fiche_id: str, index: Path | None) -> None:
    """Affiche une fiche de l'index en JSON."""
    fiche = _engine(index).get_fiche(fiche_id)
    click.echo(json.dumps(fiche.to_dict(), ensure_ascii=False, indent=2))


def main() -> None:
    indexer_cli.run(cli)
