"""Partners, funders, budget and participants read from a fiche's free text.

Owns the normalised vocabulary of partner organisations (CAF, Mairie / Ville,
Conseil départemental, …), used both for the action partners listed under
"Avec qui cette action a-t-elle été menée ?" and for the funders named in
"Ressources financières mobilisées", and the parsing of the euros and head
counts those sections give.
"""

from __future__ import annotations

import re


# Canonical name → patterns over folded lower-case text. First match wins, so
# the more specific names (Communauté de communes before Ville) come first.
_VOCABULARY: tuple[tuple[str, str], ...] = (
    ("CAF", r"\bcaf\b|caisse d.allocations? familiales|\breaap\b"),
    ("CARSAT", r"\bcarsat\b|\bcnav\b"),
    ("MSA", r"\bmsa\b|mutualite sociale agricole"),
    ("ARS", r"\bars\b|agence regionale de sante"),
    ("CCAS", r"\bccas\b|centre communal d.action sociale"),
    ("Intercommunalité", r"communaute (de communes|d.agglomeration|urbaine)|\bagglo|\bmetropole\b|\bepci\b|intercommunal"),
    ("Conseil départemental", r"conseil (departemental|general)|\bdepartement\b|\bcd ?\d{2}\b"),
    ("Région", r"conseil regional|\bregion\b"),
    ("Mairie / Ville", r"\bmairie|\bville\b|\bcommunes?\b|municipal"),
    ("Éducation nationale", r"education nationale|\becoles?\b|\bcolleges?\b|\blycees?\b|\brectorat\b"),
    ("Bailleur social", r"bailleur|\bhlm\b|office public de l.habitat|\bopac?\b|logement social"),
    ("France Travail (Pôle emploi)", r"pole emploi|france travail"),
    ("Mission locale", r"mission locale"),
    ("PMI", r"\bpmi\b|protection maternelle"),
    ("État / politique de la ville", r"\betat\b|\bddcs|\bddets|\bdrdjscs|prefecture|politique de la ville|\bcget\b"
                                     r"|\banct\b|\bfipd\b|\bacse\b|contrat de ville"),
    ("Europe / FSE", r"\bfse\b|\beurope|\bfeder\b|\bleader\b|fonds social europeen"),
    ("Fondations", r"\bfondations?\b"),
    ("Fédération des centres sociaux", r"federation des centres sociaux"),
    ("Fonds propres", r"fonds propres|autofinancement"),
    ("Participation des usagers", r"participation (des|du) (familles|public|habitants|usagers|participants)"),
    ("Associations", r"\bassociations?\b|\basso\b"),
)
_NAMES = tuple(name for name, _ in _VOCABULARY)
_ANY = re.compile(r"\b(?:" + "|".join(f"(?P<n{i}>{pattern})" for i, (_, pattern) in enumerate(_VOCABULARY)) + ")")
"""One pass over the text for the whole vocabulary (a fiche's resources are read at every build)."""
# Funders are only the financial ones among the vocabulary.
_NOT_FUNDERS = frozenset({"PMI", "Mission locale", "Éducation nationale"})


_FRENCH_FOLD = str.maketrans({**{c: "a" for c in "àâäá"}, **{c: "e" for c in "éèêë"}, **{c: "i" for c in "îïí"},
                              **{c: "o" for c in "ôöó"}, **{c: "u" for c in "ùûüú"}, "ÿ": "y", "ç": "c",
                              "œ": "oe", "æ": "ae", "’": "'", "\u00a0": " ", "\u202f": " "})


def _folded(text: str) -> str:
    """Lower case without French accents; a table lookup (unidecode was most of a fiche's parsing time)."""
    return text.lower().translate(_FRENCH_FOLD).encode("ascii", "replace").decode("ascii")


def organisations(text: str) -> list[str]:
    """Every organisation of the vocabulary that the text names, in vocabulary order."""
    found = {int(match.lastgroup[1:]) for match in _ANY.finditer(_folded(text))}
    return [_NAMES[i] for i in sorted(found)]


def normalized_partners(partners: list[str]) -> list[str]:
    """Action partners, one per line: each mapped to its first vocabulary name, kept as written (capitalised) otherwise."""
    out: list[str] = []
    for partner in partners:
        names = organisations(partner)[:1] or [_capitalised(partner.strip())]
        out.extend(name for name in names if name and name not in out)
    return out


def funders(resources: str) -> list[str]:
    """The funders a "Ressources financières" text names."""
    return [name for name in organisations(resources) if name not in _NOT_FUNDERS]


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


_AMOUNT = re.compile(
    r"(?<![\d.,])(\d{1,3}(?:[ .\u00a0\u202f]\d{3})+|\d+)(?:,(\d{1,2}))?\s*(k\s*€|k\s*euros?\b|€|euros?\b|eur\b)",
    re.IGNORECASE)
_PER_UNIT = re.compile(r"\s*(/|par\b)\s*(personne|pers|famille|enfant|participant|adherent|mois|seance|an|jour|heure)",
                       re.IGNORECASE)
_TOTAL_WORDS = re.compile(r"budget|total|cout", re.IGNORECASE)


def _amounts(line: str) -> list[float]:
    out = []
    for match in _AMOUNT.finditer(line):
        if _PER_UNIT.match(_folded(line[match.end():match.end() + 20])):
            continue
        value = float(re.sub(r"[ .\u00a0\u202f]", "", match.group(1)) + "." + (match.group(2) or "0"))
        if match.group(3).lower().startswith("k"):
            value *= 1000
        out.append(value)
    return out


def parse_budget(resources: str) -> int | None:
    """Euros of the action: the amount of a budget/total line, else the largest amount; None without one.

    Accepts "Budget global : 4 500 €", "1200€", "800 euros", "4,5 k€", "8.310 €";
    amounts per person or per month ("7€ par famille") are not budgets.
    """
    lines = resources.splitlines()
    for line in lines:
        if _TOTAL_WORDS.search(_folded(line)):
            found = _amounts(line)
            if found:
                return round(found[0])
    every = [amount for line in lines for amount in _amounts(line)]
    return round(max(every)) if every else None


_APPROXIMATE = {"dizaine": 10, "douzaine": 12, "quinzaine": 15, "vingtaine": 20, "trentaine": 30,
                "quarantaine": 40, "cinquantaine": 50, "soixantaine": 60, "centaine": 100}
_PEOPLE = (r"(personnes?|benevoles?|professionnel(le)?s?|salarie(e)?s?|agents?|animat(eur|rice)s?|intervenant(e)?s?"
           r"|habitant(e)?s?|familles?|parents?|participant(e)?s?|jeunes|enfants?|adultes?|usager(e)?s?|seniors?"
           r"|administrat(eur|rice)s?|stagiaires?|femmes|hommes|adolescent(e)?s?|membres?|elus?|retraite(e)?s?)")
_COUNT = re.compile(r"(?<![\d.,])(\d{1,5})(?:\s*(?:a|ou|-)\s*(\d{1,5}))?\s+(?:[a-z']+\s+){0,1}" + _PEOPLE + r"\b")
_LABELLED = re.compile(_PEOPLE + r"\s*:\s*(\d{1,5})\b(?!\s*(?:a|ou|-)\s*\d)")
_TOTAL = re.compile(r"\b(?:soit|au total|total)\s*:?\s*(?:de\s+)?(\d{1,5})\b")
_ABOUT = re.compile(r"\bune?\s+(" + "|".join(_APPROXIMATE) + r")\b")


def parse_participants(people: str) -> int | None:
    """People involved: a stated total ("soit 7 personnes"), else the sum of the counts of people given.

    "10 à 15 personnes" counts 15; "une vingtaine" 20; "15 familles dont 10 nouvelles" 15.
    """
    folded = _folded(people)
    total = _TOTAL.search(folded)
    if total:
        return int(total.group(1))
    count, found = 0, False
    for line in folded.splitlines():
        line = re.sub(r"\bdont\b.*", "", line)
        for match in _COUNT.finditer(line):
            count += int(match.group(2) or match.group(1))
            found = True
        for match in _LABELLED.finditer(line):
            count += int(match.group(match.lastindex))
            found = True
        for match in _ABOUT.finditer(line):
            count += _APPROXIMATE[match.group(1)]
            found = True
    return count if found else None
