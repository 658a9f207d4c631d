"""Command line: `python -m indexer build|add|remove|export` (searching is the service's `centres-sociaux search`).

Exit codes: 0 success, 1 some fiches rejected (the rest is indexed) or a
build refused because it would shrink the served index, 2 usage error,
3 index missing, corrupt or busy.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .build import add_fiches, build_index, build_lock, remove_fiche
from .config import default_corpus_dir, default_index_dir, max_drop_percent, max_file_bytes
from .errors import IndexerError, describe_os_error
from .generations import served_fiche_count
from .guard import refusal
from .parse import ParseResult, parse_corpus, parse_file

EXIT_REJECTED = 1
EXIT_USAGE = 2
EXIT_INDEX = 3
EXIT_INTERRUPTED = 130
INTERRUPTED = "interrompu : l'index en service n'a pas changé"

corpus_option = click.option("--corpus", "corpus", type=click.Path(path_type=Path), default=None,
                             help="Dossier des fichiers .txt du corpus (ou un seul fichier .txt).")
index_option = click.option("--index", "index", type=click.Path(path_type=Path), default=None,
                            help="Dossier de l'index.")


def _index_dir(index: Path | None) -> Path:
    return index or default_index_dir()


def _report_problems(result: ParseResult) -> None:
    for problem in result.problems:
        click.echo(str(problem), err=True)


def _summary(result: ParseResult) -> str:
    return result.summary()


def _drop_threshold() -> float:
    try:
        return max_drop_percent()
    except ValueError as exc:
        raise click.UsageError(f"réglage invalide : {exc}") from None


def _file_cap() -> int:
    try:
        return max_file_bytes()
    except ValueError as exc:
        raise click.UsageError(f"réglage invalide : {exc}") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Index des fiches action des centres sociaux."""


@cli.command()
@corpus_option
@index_option
@click.option("--force", is_flag=True,
              help="Remplacer l'index même si la construction perd beaucoup de fiches ou des fichiers entiers.")
def build(corpus: Path | None, index: Path | None, force: bool) -> None:
    """Construit un nouvel index à partir du corpus, puis le met en service."""
    corpus, root = corpus or default_corpus_dir(), _index_dir(index)
    cap, max_drop = _file_cap(), _drop_threshold()
    with build_lock(root):
        result = parse_corpus(corpus, cap)
        _report_problems(result)
        if not result.fiches:
            click.echo(f"{_summary(result)} — aucune fiche lue dans {corpus} : l'index en service n'a pas changé")
            sys.exit(EXIT_REJECTED)
        refused = None if force else refusal(result, served_fiche_count(root), max_drop)
        if refused:
            click.echo(f"{_summary(result)} — {refused} : l'index en service n'a pas changé "
                       "(relancez avec --force pour le remplacer quand même)")
            sys.exit(EXIT_REJECTED)
        report = build_index(result.fiches, root, show_progress=sys.stderr.isatty())
    click.echo(f"{_summary(result)} — génération {report.generation.name} "
               f"en {report.seconds:.1f} s dans {root}")
    if result.problems:
        sys.exit(EXIT_REJECTED)


@cli.command()
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@index_option
def add(file: Path, index: Path | None) -> None:
    """Ajoute ou remplace (même identifiant) les fiches d'un fichier."""
    result = parse_file(file, max_bytes=_file_cap())
    _report_problems(result)
    generation = add_fiches(result.fiches, _index_dir(index))
    click.echo(f"{_summary(result)} — génération {generation.name}")
    if result.problems:
        sys.exit(EXIT_REJECTED)


@cli.command()
@click.argument("fiche_id")
@index_option
def remove(fiche_id: str, index: Path | None) -> None:
    """Retire une fiche de l'index."""
    generation = remove_fiche(fiche_id, _index_dir(index))
    click.echo(f"fiche {fiche_id} retirée — génération {generation.name}")


@cli.command()
@corpus_option
def export(corpus: Path | None) -> None:
    """Écrit les fiches analysées du corpus en JSON Lines (une par ligne)."""
    result = parse_corpus(corpus or default_corpus_dir(), _file_cap())
    for fiche in result.fiches:
        click.echo(json.dumps(fiche.to_dict(), ensure_ascii=False))
    _report_problems(result)
    click.echo(result.summary("lues"), err=True)
    if result.problems:
        sys.exit(EXIT_REJECTED)


def main() -> None:
    run(cli)


def run(group: click.Group) -> None:
    """Runs a command group, turning errors into French messages and the documented exit codes."""
    try:
        group.main(standalone_mode=False)
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo(INTERRUPTED, err=True)
        sys.exit(EXIT_INTERRUPTED)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_USAGE)
    except IndexerError as exc:
        click.echo(f"erreur : {exc}", err=True)
        sys.exit(EXIT_INDEX)
    except OSError as exc:
        click.echo(f"erreur : {describe_os_error(exc)}", err=True)
        sys.exit(EXIT_INDEX)
