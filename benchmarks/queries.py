"""The fixed query mix of the benchmarks: the same requests for our engine, the HTTP server and SQLite."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

ONE_WORD: tuple[str, ...] = (
    "parentalité", "jardin", "insertion", "devoirs", "vieillissement", "numérique", "santé", "pétanque",
)
FEW_WORDS: tuple[str, ...] = (
    "jardin partagé", "aide aux devoirs", "lien social quartier", "café des parents",
    "accès aux droits seniors", "atelier cuisine familles", "sorties familiales été", "isolement personnes âgées",
)
PHRASES: tuple[str, ...] = (
    '"accompagnement scolaire"', "\"lutte contre l'isolement\"", '"café des parents"', '"jardin partagé"',
    '"fête de quartier"', '"insertion professionnelle"',
)
PARAGRAPHS: tuple[str, ...] = (
    "Nous voulons créer un jardin partagé au pied des immeubles avec les habitants du quartier, "
    "les enfants de l'accueil de loisirs et les personnes âgées isolées. L'objectif est de favoriser "
    "le lien social et intergénérationnel, d'apprendre à cultiver des légumes sans pesticides, de "
    "composter les déchets et d'organiser des repas partagés avec les récoltes pendant l'été.",
    "Les parents du quartier se sentent démunis face aux devoirs de leurs enfants et aux écrans. "
    "Le centre social souhaite ouvrir un café des parents le mardi matin, animé par la référente "
    "familles, avec des intervenants sur l'autorité parentale, la scolarité et le harcèlement, "
    "ainsi qu'un accompagnement scolaire le soir avec des bénévoles retraités.",
    "Projet d'insertion pour des femmes éloignées de l'emploi : ateliers de socio-esthétique pour "
    "retrouver l'estime de soi, cours de français, aide aux démarches en ligne et au permis de conduire, "
    "en partenariat avec la mission locale, Pôle emploi et le service insertion du Conseil départemental.",
)
FILTER_SETS: dict[int, dict[str, list[str]]] = {
    0: {},
    1: {"dimension": ["Citoyenneté"]},
    3: {"dimension": ["Citoyenneté"], "public": ["familles"], "year": ["2020"]},
}
KINDS: dict[str, tuple[str, ...]] = {
    "1 mot": ONE_WORD,
    "2–3 mots": FEW_WORDS,
    "expression": PHRASES,
    "paragraphe": PARAGRAPHS,
}


@dataclass(frozen=True)
class MixQuery:
    kind: str
    text: str
    filter_count: int
    filters: dict[str, list[str]]

    def url(self) -> str:
        params: list[tuple[str, str]] = [("q", self.text)]
        params += [(name, value) for name, values in self.filters.items() for value in values]
        return "/api/search?" + urlencode(params, quote_via=quote)


def query_mix() -> list[MixQuery]:
    """Every query of every kind, with 0, 1 and 3 facet filters (in a fixed order)."""
    return [MixQuery(kind, text, count, filters)
            for kind, texts in KINDS.items()
            for text in texts
            for count, filters in FILTER_SETS.items()]
