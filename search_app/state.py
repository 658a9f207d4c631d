"""Access to the per-app objects (settings, search engine) from blueprints."""

from __future__ import annotations

from flask import current_app

from .config import Settings
from .engine import SearchEngine


def settings() -> Settings:
    return current_app.extensions["search_settings"]


def engine() -> SearchEngine:
    return current_app.extensions["search_engine"]
