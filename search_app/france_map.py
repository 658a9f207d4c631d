"""The map of France by département: a tile grid of the 101 départements, overseas ones as insets.

Generated in code from one table (code, name, grid column and row, laid out
by hand after the prefectures' positions, Paris and its ring enlarged); the
five overseas départements sit in a row of insets below. No outline data, no
external service. Corpus values are matched to départements ignoring case,
accents, spaces and punctuation.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from unidecode import unidecode

# code, name, grid column, grid row (metropolitan France; north at the top).
METROPOLE: tuple[tuple[str, str, int, int], ...] = (
    ("01", "Ain", 8, 6), ("02", "Aisne", 8, 1), ("03", "Allier", 6, 6), ("04", "Alpes-de-Haute-Provence", 8, 9),
    ("05", "Hautes-Alpes", 8, 8), ("06", "Alpes-Maritimes", 9, 9), ("07", "Ardèche", 6, 8),
    ("08", "Ardennes", 9, 1), ("09", "Ariège", 3, 11), ("10", "Aube", 8, 4), ("11", "Aude", 4, 11),
    ("12", "Aveyron", 4, 9), ("13", "Bouches-du-Rhône", 6, 10), ("14", "Calvados", 3, 2),
    ("15", "Cantal", 4, 8), ("16", "Charente", 2, 7), ("17", "Charente-Maritime", 1, 6), ("18", "Cher", 5, 5),
    ("19", "Corrèze", 4, 7), ("2A", "Corse-du-Sud", 10, 11), ("2B", "Haute-Corse", 10, 10),
    ("21", "Côte-d'Or", 8, 5), ("22", "Côtes-d'Armor", 1, 3), ("23", "Creuse", 5, 6), ("24", "Dordogne", 2, 8),
    ("25", "Doubs", 9, 5), ("26", "Drôme", 7, 8), ("27", "Eure", 5, 2), ("28", "Eure-et-Loir", 4, 3),
    ("29", "Finistère", 0, 3), ("30", "Gard", 6, 9), ("31", "Haute-Garonne", 3, 10), ("32", "Gers", 2, 10),
    ("33", "Gironde", 1, 8), ("34", "Hérault", 5, 10), ("35", "Ille-et-Vilaine", 2, 3), ("36", "Indre", 4, 6),
    ("37", "Indre-et-Loire", 3, 5), ("38", "Isère", 8, 7), ("39", "Jura", 10, 5), ("40", "Landes", 1, 9),
    ("41", "Loir-et-Cher", 4, 5), ("42", "Loire", 6, 7), ("43", "Haute-Loire", 5, 8),
    ("44", "Loire-Atlantique", 1, 4), ("45", "Loiret", 4, 4), ("46", "Lot", 3, 8),
    ("47", "Lot-et-Garonne", 2, 9), ("48", "Lozère", 5, 9), ("49", "Maine-et-Loire", 2, 5),
    ("50", "Manche", 2, 2), ("51", "Marne", 8, 2), ("52", "Haute-Marne", 9, 4), ("53", "Mayenne", 2, 4),
    ("54", "Meurthe-et-Moselle", 9, 3), ("55", "Meuse", 9, 2), ("56", "Morbihan", 0, 4),
    ("57", "Moselle", 10, 2), ("58", "Nièvre", 6, 5), ("59", "Nord", 7, 0), ("60", "Oise", 6, 2),
    ("61", "Orne", 3, 3), ("62", "Pas-de-Calais", 6, 1), ("63", "Puy-de-Dôme", 5, 7),
    ("64", "Pyrénées-Atlantiques", 1, 10), ("65", "Hautes-Pyrénées", 2, 11),
    ("66", "Pyrénées-Orientales", 5, 11), ("67", "Bas-Rhin", 11, 2), ("68", "Haut-Rhin", 11, 3),
    ("69", "Rhône", 7, 7), ("70", "Haute-Saône", 10, 4), ("71", "Saône-et-Loire", 7, 6), ("72", "Sarthe", 3, 4),
    ("73", "Savoie", 9, 7), ("74", "Haute-Savoie", 9, 6), ("75", "Paris", 7, 3), ("76", "Seine-Maritime", 4, 2),
    ("77", "Seine-et-Marne", 7, 4), ("78", "Yvelines", 5, 3), ("79", "Deux-Sèvres", 2, 6),
    ("80", "Somme", 7, 1), ("81", "Tarn", 4, 10), ("82", "Tarn-et-Garonne", 3, 9), ("83", "Var", 7, 10),
    ("84", "Vaucluse", 7, 9), ("85", "Vendée", 1, 5), ("86", "Vienne", 3, 6), ("87", "Haute-Vienne", 3, 7),
    ("88", "Vosges", 10, 3), ("89", "Yonne", 7, 5), ("90", "Territoire de Belfort", 11, 4),
    ("91", "Essonne", 5, 4), ("92", "Hauts-de-Seine", 6, 3), ("93", "Seine-Saint-Denis", 8, 3),
    ("94", "Val-de-Marne", 6, 4), ("95", "Val-d'Oise", 7, 2),
)
OVERSEAS: tuple[tuple[str, str], ...] = (
    ("971", "Guadeloupe"), ("972", "Martinique"), ("973", "Guyane"), ("974", "La Réunion"), ("976", "Mayotte"),
)
LEVELS = 5
"""Colour classes of departments with actions (a sixth, blank, for none)."""


@dataclass(frozen=True)
class Departement:
    code: str
    name: str
    column: int
    row: int
    overseas: bool = False


@dataclass(frozen=True)
class MapTile:
    departement: Departement
    count: int
    level: int
    url: str | None
    x: int
    y: int


@dataclass(frozen=True)
class FranceMap:
    tiles: list[MapTile]
    width: int
    height: int
    tile: int
    overseas_y: int
    unplaced: list[tuple[str, int]]
    """Corpus values with actions that name no known département (shown in the table only)."""


def fold_name(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", unidecode(name).lower())


@lru_cache(maxsize=1)
def departements() -> tuple[Departement, ...]:
    """The 101 départements with their grid cells (metropolitan ones first, then overseas insets)."""
    metro = tuple(Departement(code, name, column, row) for code, name, column, row in METROPOLE)
    bottom = max(d.row for d in metro) + 2
    overseas = tuple(Departement(code, name, i * 2, bottom, overseas=True) for i, (code, name) in enumerate(OVERSEAS))
    return metro + overseas


@lru_cache(maxsize=1)
def _by_folded_name() -> dict[str, Departement]:
    names = {fold_name(d.name): d for d in departements()}
    names.update({fold_name(d.name.removeprefix("La ")): d for d in departements()})
    names.update({d.code.lower(): d for d in departements()})
    return names


def find_departement(value: str) -> Departement | None:
    """The département a corpus value names ("Isère", "isere", "38 - Isère"), if any."""
    folded = fold_name(value)
    found = _by_folded_name().get(folded)
    if found is None:
        stripped = fold_name(re.sub(r"^\s*(\d[\dAB]?\d?)\s*[-–—:]?\s*", "", value, flags=re.IGNORECASE))
        found = _by_folded_name().get(stripped)
    return found


def count_level(count: int, highest: int) -> int:
    """0 for none, else 1..LEVELS on a square-root scale (a few big départements don't flatten the rest)."""
    if count <= 0 or highest <= 0:
        return 0
    return max(1, math.ceil(LEVELS * math.sqrt(count / highest)))


def france_map(counts: list[tuple[str, int]], url_for_value, tile: int = 34) -> FranceMap:
    """Tiles for every département, coloured by its number of actions; those with actions link to `url_for_value`."""
    by_code: dict[str, tuple[str, int]] = {}
    unplaced = []
    for value, count in counts:
        departement = find_departement(value)
        if departement is None:
            unplaced.append((value, count))
        else:
            previous = by_code.get(departement.code)
            by_code[departement.code] = (value, count + (previous[1] if previous else 0))
    highest = max((count for _, count in by_code.values()), default=0)
    tiles = []
    for departement in departements():
        value, count = by_code.get(departement.code, (departement.name, 0))
        tiles.append(MapTile(departement, count, count_level(count, highest),
                             url_for_value(value) if count else None,
                             departement.column * tile, departement.row * tile))
    width = (max(d.column for d in departements()) + 1) * tile
    height = (max(d.row for d in departements()) + 1) * tile
    overseas_y = min(d.row for d in departements() if d.overseas) * tile
    return FranceMap(tiles, width, height, tile, overseas_y, unplaced)
