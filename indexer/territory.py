"""The official list of the 101 French départements (code, name, région) and the 18 régions.

Owns turning what a fiche or a visitor writes ("80", "somme", "Réunion",
"2a") into the canonical département name, and a département into its région.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from unidecode import unidecode


@dataclass(frozen=True)
class Departement:
    code: str
    name: str
    region: str


_REGIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "Auvergne-Rhône-Alpes": (
        ("01", "Ain"), ("03", "Allier"), ("07", "Ardèche"), ("15", "Cantal"), ("26", "Drôme"), ("38", "Isère"),
        ("42", "Loire"), ("43", "Haute-Loire"), ("63", "Puy-de-Dôme"), ("69", "Rhône"), ("73", "Savoie"),
        ("74", "Haute-Savoie")),
    "Bourgogne-Franche-Comté": (
        ("21", "Côte-d'Or"), ("25", "Doubs"), ("39", "Jura"), ("58", "Nièvre"), ("70", "Haute-Saône"),
        ("71", "Saône-et-Loire"), ("89", "Yonne"), ("90", "Territoire de Belfort")),
    "Bretagne": (("22", "Côtes-d'Armor"), ("29", "Finistère"), ("35", "Ille-et-Vilaine"), ("56", "Morbihan")),
    "Centre-Val de Loire": (
        ("18", "Cher"), ("28", "Eure-et-Loir"), ("36", "Indre"), ("37", "Indre-et-Loire"), ("41", "Loir-et-Cher"),
        ("45", "Loiret")),
    "Corse": (("2A", "Corse-du-Sud"), ("2B", "Haute-Corse")),
    "Grand Est": (
        ("08", "Ardennes"), ("10", "Aube"), ("51", "Marne"), ("52", "Haute-Marne"), ("54", "Meurthe-et-Moselle"),
        ("55", "Meuse"), ("57", "Moselle"), ("67", "Bas-Rhin"), ("68", "Haut-Rhin"), ("88", "Vosges")),
    "Hauts-de-France": (("02", "Aisne"), ("59", "Nord"), ("60", "Oise"), ("62", "Pas-de-Calais"), ("80", "Somme")),
    "Île-de-France": (
        ("75", "Paris"), ("77", "Seine-et-Marne"), ("78", "Yvelines"), ("91", "Essonne"), ("92", "Hauts-de-Seine"),
        ("93", "Seine-Saint-Denis"), ("94", "Val-de-Marne"), ("95", "Val-d'Oise")),
    "Normandie": (("14", "Calvados"), ("27", "Eure"), ("50", "Manche"), ("61", "Orne"), ("76", "Seine-Maritime")),
    "Nouvelle-Aquitaine": (
        ("16", "Charente"), ("17", "Charente-Maritime"), ("19", "Corrèze"), ("23", "Creuse"), ("24", "Dordogne"),
        ("33", "Gironde"), ("40", "Landes"), ("47", "Lot-et-Garonne"), ("64", "Pyrénées-Atlantiques"),
        ("79", "Deux-Sèvres"), ("86", "Vienne"), ("87", "Haute-Vienne")),
    "Occitanie": (
        ("09", "Ariège"), ("11", "Aude"), ("12", "Aveyron"), ("30", "Gard"), ("31", "Haute-Garonne"), ("32", "Gers"),
        ("34", "Hérault"), ("46", "Lot"), ("48", "Lozère"), ("65", "Hautes-Pyrénées"), ("66", "Pyrénées-Orientales"),
        ("81", "Tarn"), ("82", "Tarn-et-Garonne")),
    "Pays de la Loire": (
        ("44", "Loire-Atlantique"), ("49", "Maine-et-Loire"), ("53", "Mayenne"), ("72", "Sarthe"), ("85", "Vendée")),
    "Provence-Alpes-Côte d'Azur": (
        ("04", "Alpes-de-Haute-Provence"), ("05", "Hautes-Alpes"), ("06", "Alpes-Maritimes"),
        ("13", "Bouches-du-Rhône"), ("83", "Var"), ("84", "Vaucluse")),
    "Guadeloupe": (("971", "Guadeloupe"),),
    "Martinique": (("972", "Martinique"),),
    "Guyane": (("973", "Guyane"),),
    "La Réunion": (("974", "La Réunion"),),
    "Mayotte": (("976", "Mayotte"),),
}

DEPARTEMENTS: tuple[Departement, ...] = tuple(
    Departement(code, name, region) for region, members in _REGIONS.items() for code, name in members)
REGIONS: tuple[str, ...] = tuple(_REGIONS)

_BY_NAME = {d.name: d for d in DEPARTEMENTS}
_ALIASES = {"reunion": "La Réunion", "ile de la reunion": "La Réunion", "belfort": "Territoire de Belfort",
            "corse du sud": "Corse-du-Sud", "cotes du nord": "Côtes-d'Armor", "seine st denis": "Seine-Saint-Denis"}
_NON_WORD = re.compile(r"[^a-z0-9]+")


def place_key(text: str) -> str:
    """Case, accents, hyphens, apostrophes and spaces ignored: 'Côte-d’Or' → 'cote d or'."""
    return _NON_WORD.sub(" ", unidecode(str(text)).lower()).strip()


_KEYS: dict[str, str] = {place_key(d.name): d.name for d in DEPARTEMENTS}
_KEYS.update({place_key(alias): name for alias, name in _ALIASES.items()})
_CODES: dict[str, str] = {d.code.lower(): d.name for d in DEPARTEMENTS}
_CODES.update({d.code.lstrip("0"): d.name for d in DEPARTEMENTS if d.code.startswith("0")})
_REGION_KEYS: dict[str, str] = {place_key(region): region for region in REGIONS}
_REGION_KEYS.update({"reunion": "La Réunion", "idf": "Île-de-France", "paca": "Provence-Alpes-Côte d'Azur",
                     "aura": "Auvergne-Rhône-Alpes"})


def departement(name: str) -> Departement | None:
    """The département with this canonical name."""
    return _BY_NAME.get(name)


def canonical_departement(text: str) -> str | None:
    """The official name of a département written by name (any case or accents) or by code."""
    raw = str(text).strip().lower()
    name = _CODES.get(raw) or _CODES.get(raw.lstrip("0"))
    return name or _KEYS.get(place_key(raw))


def canonical_region(text: str) -> str | None:
    return _REGION_KEYS.get(place_key(text))


def region_of(departement_name: str) -> str | None:
    """The région of a département given by any accepted spelling or code."""
    name = canonical_departement(departement_name)
    return _BY_NAME[name].region if name else None


def closest_departements(text: str, count: int = 3) -> list[str]:
    """The official names nearest to an unknown one (for "vouliez-vous dire")."""
    keys = difflib.get_close_matches(place_key(text), list(_KEYS), n=count, cutoff=0.5)
    return list(dict.fromkeys(_KEYS[key] for key in keys))


def closest_regions(text: str, count: int = 3) -> list[str]:
    keys = difflib.get_close_matches(place_key(text), list(_REGION_KEYS), n=count, cutoff=0.5)
    return list(dict.fromkeys(_REGION_KEYS[key] for key in keys))


def departement_label(name: str) -> str:
    """'Somme (80)'; a name outside the official list as it is."""
    found = _BY_NAME.get(name)
    return f"{found.name} ({found.code})" if found else name
