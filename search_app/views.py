"""HTML pages blueprint (French, server-rendered, usable without JavaScript)."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from .params import parse_search_request
from .state import engine, settings

bp = Blueprint("views", __name__)


@bp.get("/")
def index():
    search_request = parse_search_request(request.args, settings())
    response = engine().search(search_request)
    return render_template("index.html", response=response)


@bp.get("/actions/<fiche_id>")
def action(fiche_id: str):
    fiche = engine().get_fiche(fiche_id)
    similar = engine().similar_to_fiche(fiche_id, limit=5)
    return render_template("action.html", fiche=fiche, similar=similar)
