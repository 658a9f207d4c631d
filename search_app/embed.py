"""Search from other sites: the embeddable script, the frameable page, OpenSearch and the /integrer guide."""

from __future__ import annotations

from xml.etree import ElementTree

from flask import Blueprint, current_app, jsonify, render_template, request, send_from_directory, url_for
from werkzeug.datastructures import MultiDict

from indexer.schema import FACET_LABELS, PUBLIC_FACETS

from .params import parse_search_request, visible_text
from .state import engine, settings

bp = Blueprint("embed", __name__)

SCRIPT_MAX_AGE = 3600
EMBED_DEFAULT_LIMIT = 10
EMBED_MAX_LIMIT = 20
OPENSEARCH_NS = "http://a9.com/-/spec/opensearch/1.1/"
MOZ_NS = "http://www.mozilla.org/2006/browser/search/"
ElementTree.register_namespace("", OPENSEARCH_NS)
ElementTree.register_namespace("moz", MOZ_NS)


@bp.get("/embed.js")
def script():
    return _cross_origin_static("embed.js", "application/javascript")


@bp.get("/embed.css")
def stylesheet():
    """The box's styles, fetched by embed.js into its Shadow DOM (a constructed sheet: no inline style)."""
    return _cross_origin_static("embed.css", "text/css")


def _cross_origin_static(filename: str, mimetype: str):
    response = send_from_directory(current_app.static_folder, filename, mimetype=mimetype, max_age=SCRIPT_MAX_AGE)
    response.cache_control.public = True
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _embed_args() -> MultiDict:
    """The query string of /embed as /api/search arguments: `limit` becomes `per_page`, capped."""
    args = MultiDict(request.args)
    limit = args.pop("limit", None) or args.get("per_page") or EMBED_DEFAULT_LIMIT
    try:
        args["per_page"] = str(min(max(int(str(limit).strip()), 1), EMBED_MAX_LIMIT))
    except ValueError:
        args["per_page"] = str(EMBED_DEFAULT_LIMIT)
    if not str(args.get("q") or "").strip() and "sort" not in args:
        args["sort"] = "year"
    return args


@bp.get("/embed")
def embed_page():
    args = _embed_args()
    response = engine().search(parse_search_request(args, settings()))
    presets = [(name, FACET_LABELS[name], values) for name, values in response.filters.items()]
    kept = {name: values for name, _, values in presets}
    kept["limit"] = [args["per_page"]]
    top = request.args.get("target") == "top"
    if top:
        kept["target"] = ["top"]
    resize = request.args.get("resize") == "1"
    if resize:
        kept["resize"] = ["1"]
    suggestion_url = url_for("embed.embed_page", q=response.suggestion, **kept) if response.suggestion else None
    full_search = url_for("views.index", **{key: args.getlist(key) for key in ("q", *PUBLIC_FACETS)})
    return render_template("embed.html", response=response, presets=presets, kept=kept,
                           link_target="_top" if top else "_blank", resize=resize,
                           suggestion_url=suggestion_url, full_search=full_search)


@bp.get("/integrer")
def guide():
    return render_template("integrer.html", host=request.url_root.rstrip("/"), host_origin=request.host_url.rstrip("/"))


@bp.get("/opensearch.xml")
def opensearch():
    root_url = request.url_root.rstrip("/")
    doc = ElementTree.Element(f"{{{OPENSEARCH_NS}}}OpenSearchDescription")
    for tag, text in (("ShortName", "Centres sociaux"),
                      ("Description", "Rechercher parmi les fiches action des centres sociaux"),
                      ("InputEncoding", "UTF-8"), ("Language", "fr-FR")):
        ElementTree.SubElement(doc, f"{{{OPENSEARCH_NS}}}{tag}").text = text
    for kind, template in (("text/html", f"{root_url}/?q={{searchTerms}}"),
                           ("application/x-suggestions+json", f"{root_url}/opensearch-suggest?q={{searchTerms}}")):
        ElementTree.SubElement(doc, f"{{{OPENSEARCH_NS}}}Url", type=kind, method="get", template=template)
    ElementTree.SubElement(doc, f"{{{OPENSEARCH_NS}}}Url", type="application/opensearchdescription+xml",
                           rel="self", template=f"{root_url}/opensearch.xml")
    ElementTree.SubElement(doc, f"{{{MOZ_NS}}}SearchForm").text = f"{root_url}/"
    body = ElementTree.tostring(doc, encoding="utf-8", xml_declaration=True)
    response = current_app.response_class(body, mimetype="application/opensearchdescription+xml")
    response.cache_control.public = True
    response.cache_control.max_age = SCRIPT_MAX_AGE
    return response


@bp.get("/opensearch-suggest")
def opensearch_suggest():
    """OpenSearch suggestions format: ["query", ["completion", …]]."""
    query = visible_text(str(request.args.get("q") or ""))[:200]
    response = jsonify([query, engine().suggest(query, settings().SUGGEST_LIMIT)])
    response.mimetype = "application/x-suggestions+json"
    return response
