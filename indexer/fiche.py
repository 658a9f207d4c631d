"""The `Fiche` record: one action of a social centre, as parsed from the corpus."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(frozen=True)
class FieldSpec:
    """How one `- Label` of the corpus format maps onto a `Fiche` attribute.

    kind is "option" (one value written as a `- value` line), "list" (several
    `- value` lines) or "text" (free text, kept verbatim including its bullets).
    """

    name: str
    label: str
    kind: str
    heading: str


# In corpus order. "Territoire concerné" appears twice in a fiche: the second
# occurrence (after the partners label) fills `partners_territory`.
FIELD_SPECS: tuple[FieldSpec, ...] = (
    FieldSpec("structure", "Structure organisatrice", "option", "Structure organisatrice"),
    FieldSpec("files", "Fichier(s) associé(s)", "list", "Fichiers associés"),
    FieldSpec("status", "Statut de l'action", "option", "Statut de l'action"),
    FieldSpec("end_reason", "Raisons pour lesquelles l'action est terminée", "text",
              "Raisons pour lesquelles l'action est terminée"),
    FieldSpec("dimension", "Dimension", "option", "Dimension"),
    FieldSpec("keywords", "Mots clés associés à l'action", "list", "Mots clés"),
    FieldSpec("summary", "Résumé", "text", "Résumé"),
    FieldSpec("initiative", "Qui est à l'initiative de l'action ?", "list", "À l'initiative de l'action"),
    FieldSpec("initiative_detail", "Précision ( si autre )", "text", "Précision sur l'initiative"),
    FieldSpec("territory", "Territoire concerné", "option", "Territoire concerné"),
    FieldSpec("experience", "Description de l'expérience, ses objectifs, ses acteurs et ses différentes phases.",
              "text", "L'expérience, ses objectifs, ses acteurs et ses phases"),
    FieldSpec("public", "Public", "list", "Public"),
    FieldSpec("partners", "Avec qui cette action a-t-elle été menée ?", "list", "Partenaires d'action"),
    FieldSpec("partners_territory", "Territoire concerné", "option", "Territoire des partenaires"),
    FieldSpec("general_description", "Description générale", "text", "Description générale"),
    FieldSpec("resources", "Ressources financières mobilisées pour cette action", "text", "Ressources financières"),
    FieldSpec("people", "Nombre de personnes mobilisés pour cette action", "text", "Personnes mobilisées"),
    FieldSpec("result_territory", "Résultat sur le territoire", "text", "Résultat sur le territoire"),
    FieldSpec("result_centre", "Résultat pour le centre social", "text", "Résultat pour le centre social"),
    FieldSpec("result_inhabitants", "Résultat pour les habitants", "text", "Résultat pour les habitants"),
    FieldSpec("limits", "Suite de l'action : Limites", "text", "Limites"),
    FieldSpec("perspectives", "Suite de l'action : Perspectives", "text", "Perspectives"),
)

SPECS_BY_NAME: dict[str, FieldSpec] = {spec.name: spec for spec in FIELD_SPECS}

# Labels every complete fiche carries; a block missing one is incomplete
# (typically a truncated file).
REQUIRED_FIELDS: tuple[str, ...] = (
    "structure", "status", "dimension", "keywords", "summary", "initiative",
    "territory", "experience", "public", "partners", "general_description",
    "resources", "people", "result_territory", "result_centre",
    "result_inhabitants", "limits",
)

# Long free-text sections, in display order, searched as the fiche's body.
BODY_FIELDS: tuple[str, ...] = (
    "experience", "general_description", "resources", "people", "result_territory",
    "result_centre", "result_inhabitants", "limits", "perspectives", "end_reason",
    "initiative_detail",
)


@dataclass
class Fiche:
    """One action. Every field is present; an empty field is "" or []."""

    id: str
    title: str
    department: str = ""
    year: str = ""
    structure: str = ""
    files: list[str] = field(default_factory=list)
    status: str = ""
    end_reason: str = ""
    dimension: str = ""
    keywords: list[str] = field(default_factory=list)
    summary: str = ""
    initiative: list[str] = field(default_factory=list)
    initiative_detail: str = ""
    territory: str = ""
    experience: str = ""
    public: list[str] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)
    partners_territory: str = ""
    general_description: str = ""
    resources: str = ""
    people: str = ""
    result_territory: str = ""
    result_centre: str = ""
    result_inhabitants: str = ""
    limits: str = ""
    perspectives: str = ""
    source_file: str = ""
    source_line: int = 0

    @property
    def structure_name(self) -> str:
        """The organising centre without its trailing ` - Département`."""
        head, sep, tail = self.structure.rpartition(" - ")
        if sep and self.department and tail.strip() == self.department:
            return head.strip()
        return self.structure

    @property
    def territories(self) -> list[str]:
        return unique_nonempty([self.territory, self.partners_territory])

    def body_text(self) -> str:
        return "\n".join(getattr(self, name) for name in BODY_FIELDS if getattr(self, name))

    def to_dict(self) -> dict[str, Any]:
        """The fields as a plain dict (lists copied); `asdict` would deep-copy, ten times slower."""
        data = {}
        for name in _FIELD_NAMES:
            value = getattr(self, name)
            data[name] = list(value) if isinstance(value, list) else value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fiche:
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})


_FIELD_NAMES: tuple[str, ...] = tuple(spec.name for spec in fields(Fiche))


def unique_nonempty(values: list[str]) -> list[str]:
    seen: list[str] = []
    for value in values:
        if value and value not in seen:
            seen.append(value)
    return seen
