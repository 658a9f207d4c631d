"""Stable fiche addresses: the answer to an id that left the index (301 to its replacement, or 410).

Ids do not change with a title's case, accents, punctuation or spacing
(`indexer.parse.fiche_id`); an id that did leave is answered from the retired
ids of the served generation (`indexer.retired`).
"""

from __future__ import annotations

import re

from flask import jsonify, redirect, render_template, request, url_for

from .engine import SearchEngine
from .errors import Gone


def title_words(title: str) -> str:
    """The title as a plain query (its words, no operators or punctuation)."""
    return " ".join(re.findall(r"\w+", title))


def retired_answer(engine: SearchEngine):
    """301 to the replacing fiche, 410 for a fiche gone for good, None for an id never served."""
    fiche_id = (request.view_args or {}).get("fiche_id")
    if not fiche_id or request.endpoint is None:
        return None
    found = engine.retirement(fiche_id)
    if found is None:
        return None
    entry, successor = found
    if successor is not None:
        target = url_for(request.endpoint, **{**request.view_args, "fiche_id": successor}, **request.args.to_dict(flat=False))
        return redirect(target, code=301)
    error = Gone(f"l'action « {entry.title} » a été retirée du répertoire", title=entry.title)
    if request.path.startswith("/api/"):
        return jsonify(error.to_dict()), error.status
    return render_template("gone.html", error=error, entry=entry,
                           search_url=url_for("views.index", q=title_words(entry.title))), error.status
