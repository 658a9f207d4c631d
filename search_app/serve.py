"""Production entry point: waitress serving `create_app()` (builds the index first if missing)."""

from __future__ import annotations

import logging

import click
from waitress import serve

from . import create_app
from .config import Settings


@click.command()
@click.option("--host", default=None, help="Adresse d'écoute (défaut : SEARCH_HOST ou 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (défaut : SEARCH_PORT ou 8000).")
@click.option("--threads", default=None, type=int, help="Fils de traitement (défaut : SEARCH_THREADS ou 8).")
def main(host: str | None, port: int | None, threads: int | None) -> None:
    """Lance le service de recherche."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = Settings.load()
    app = create_app()
    host = host or settings.HOST
    port = port or settings.PORT
    click.echo(f"Recherche des actions des centres sociaux : http://{host}:{port}/", err=True)
    serve(app, host=host, port=port, threads=threads or settings.THREADS, ident="centres-sociaux")


if __name__ == "__main__":
    main()
