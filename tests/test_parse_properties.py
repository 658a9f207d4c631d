"""Property-based tests of the parser (issue 6 §1): it never raises, and rendering a fiche round-trips.

Example counts per property are the `max_examples` below; run with
`--hypothesis-show-statistics` to see how many were actually generated.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from indexer.fiche import FIELD_SPECS, Fiche
from indexer.parse import (
    FILE_LEVEL_CODES,
    ParseResult,
    department_from_structure,
    is_structural_line,
    parse_bytes,
    parse_corpus,
    parse_text,
)
from indexer.render import render_corpus, render_fiche, render_problems

ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
WHERE = ("id", "source_file", "source_line")
ANY_INPUT = settings(max_examples=300, deadline=None)
ROUND_TRIP = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ROUND_TRIP_VARIANTS = settings(ROUND_TRIP, max_examples=200)


def check_invariants(result: ParseResult, path: str) -> None:
    """What must hold whatever the input: nothing dropped silently, every problem located."""
    assert result.fiches or result.problems
    assert len(result.fiches) + result.rejected == result.blocks
    for problem in result.problems:
        text = str(problem)
        assert text.startswith(f"{path}:{problem.line}: ")
        assert problem.reason and "\n" not in text and "\r" not in text
        assert problem.line >= 1
        assert problem.rejected >= 0
        if problem.code in FILE_LEVEL_CODES:
            assert result.blocks == 0
    ids = [fiche.id for fiche in result.fiches]
    assert len(set(ids)) == len(ids)
    for fiche in result.fiches:
        assert ID_PATTERN.fullmatch(fiche.id)
        assert fiche.title and fiche.title == fiche.title.strip()
        for spec in FIELD_SPECS:
            value = getattr(fiche, spec.name)
            if spec.kind == "list":
                assert isinstance(value, list) and all(item and item == item.strip() for item in value)
            else:
                assert isinstance(value, str)


# -- any input --------------------------------------------------------------------------------

@ANY_INPUT
@given(st.text())
def test_any_text_gives_fiches_or_problems(text):
    check_invariants(parse_text(text, "f.txt"), "f.txt")


@ANY_INPUT
@given(st.binary(max_size=4096))
def test_any_bytes_give_fiches_or_problems(data):
    check_invariants(parse_bytes(data, "f.txt"), "f.txt")


LABEL_LINES = [f"- {spec.label}" for spec in FIELD_SPECS]
FORMAT_LINES = st.one_of(
    st.sampled_from(["Actions", "ACTIONS ", "Actions", "", "-", "Partenaires d'action:",
                     "Nom | Département | Année |", "---|---|---|", "Un titre | Somme | 2015 |",
                     "- CENTRE SOCIAL - Somme", "- En cours", "- Parentalité", "- Statut de l’action",
                     "-  RÉSUMÉ", "\ufeffActions", "\x00"]),
    st.sampled_from(LABEL_LINES),
    st.text(max_size=40),
    st.text(max_size=20).map(lambda t: f"- {t}"),
)
LINE_ENDINGS = st.sampled_from(["\n", "\r\n", "\r"])


@st.composite
def format_like_bytes(draw) -> bytes:
    """Byte soup made of the format's own pieces: markers, labels, bullets, header rows, mixed endings."""
    lines = draw(st.lists(FORMAT_LINES, max_size=80))
    text = "".join(line + draw(LINE_ENDINGS) for line in lines)
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "cp1252", "utf-8-sig"]))
    data = text.encode(encoding, errors="replace")
    if draw(st.booleans()):
        data = data[:draw(st.integers(0, len(data)))]
    return data


@ANY_INPUT
@given(format_like_bytes())
def test_format_like_input_gives_fiches_or_problems(data):
    check_invariants(parse_bytes(data, "f.txt"), "f.txt")


SAMPLE_LINES = (Path(__file__).resolve().parent.parent / "corpus" / "actions-centres-sociaux-2015.txt"
                ).read_text(encoding="utf-8").split("\n")


@st.composite
def mutated_sample(draw) -> bytes:
    """The sample corpus with a few lines deleted, duplicated, replaced or inserted, then maybe cut."""
    lines = list(SAMPLE_LINES)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(lines) - 1))
        edit = draw(st.sampled_from(["delete", "delete-run", "duplicate", "replace", "insert"]))
        if edit == "delete":
            del lines[at]
        elif edit == "delete-run":
            del lines[at:at + draw(st.integers(2, 40))]
        elif edit == "duplicate":
            lines[at:at] = lines[at:at + draw(st.integers(1, 60))]
        elif edit == "replace":
            lines[at] = draw(FORMAT_LINES)
        else:
            lines.insert(at, draw(FORMAT_LINES))
        if not lines:
            lines = [""]
    text = "".join(line + draw(LINE_ENDINGS) for line in lines)
    data = text.encode(draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-8-sig", "cp1252"])), errors="replace")
    if draw(st.booleans()):
        data = data[:draw(st.integers(0, len(data)))]
    return data


@settings(max_examples=200, deadline=None)
@given(mutated_sample())
def test_damaged_sample_gives_fiches_and_located_problems(data):
    result = parse_bytes(data, "abime.txt")
    check_invariants(result, "abime.txt")
    event(f"fiches: {'14+' if len(result.fiches) >= 14 else '1-13' if result.fiches else '0'}")
    event(f"problèmes: {'0' if not result.problems else '1' if len(result.problems) == 1 else '2+'}")


# -- round trip -------------------------------------------------------------------------------

ONE_LINE_CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r\n")
LABEL_WORDS = [spec.label for spec in FIELD_SPECS] + ["Actions", "Partenaires d'action:", "Public"]


def one_line(max_size: int = 30) -> st.SearchStrategy[str]:
    """A value the format can carry on one `- value` line (see indexer/render.py)."""
    raw = st.one_of(
        st.text(ONE_LINE_CHARS, min_size=1, max_size=max_size),
        st.sampled_from(["Parentalité", "Conseil départemental", "vacances / loisirs", "-", "- tiret",
                         "Qu’ils", "Tous publics", "a | b", "Actions de quartier", "Publics", "Résumé :"]),
    )
    return raw.map(str.strip).filter(lambda v: v and not is_structural_line(f"- {v}")
                                     and re.sub(r"\s", "", v.lower()) != "partenairesd'action:")


def free_text() -> st.SearchStrategy[str]:
    """Free text: lines (bullets included) that are not markers or labels, no trailing spaces."""
    line = st.one_of(
        st.text(ONE_LINE_CHARS, max_size=60),
        st.sampled_from(["- une puce", "-", "Description", "Partenaires d'action:", "Public", "- Publics visés",
                         "1) premier point", "   - puce indentée", "Actions :", *LABEL_WORDS]),
    ).map(str.rstrip).filter(lambda v: not is_structural_line(v))
    return st.lists(line, max_size=6).map(lambda lines: "\n".join(lines).strip("\n"))


def header_value() -> st.SearchStrategy[str]:
    return st.one_of(st.just(""), one_line(20).filter(lambda v: "|" not in v))


@st.composite
def fiches(draw) -> Fiche:
    values = {"id": "x", "title": draw(one_line(50).filter(lambda t: not is_structural_line(t)))}
    for spec in FIELD_SPECS:
        if spec.kind == "text":
            values[spec.name] = draw(free_text())
        elif spec.kind == "option":
            values[spec.name] = draw(st.one_of(st.just(""), one_line()))
        else:
            values[spec.name] = draw(st.lists(one_line(), max_size=4, unique=True))
    if draw(st.booleans()):
        values["structure"] = f"{draw(one_line(20))} - {draw(one_line(15))}"
    values["department"] = draw(header_value()) or department_from_structure(values["structure"])
    values["year"] = draw(st.one_of(header_value(), st.from_regex(r"(19|20)[0-9]{2}", fullmatch=True)))
    fiche = Fiche(**values)
    assume(not render_problems(fiche))
    return fiche


def record(fiche: Fiche) -> dict:
    return {key: value for key, value in fiche.to_dict().items() if key not in WHERE}


@ROUND_TRIP
@given(st.lists(fiches(), min_size=1, max_size=4))
def test_rendered_fiches_parse_back_to_the_same_records(generated):
    text = render_corpus(generated)
    result = parse_text(text, "rendu.txt")
    assert result.problems == []
    assert [record(f) for f in result.fiches] == [record(f) for f in generated]
    check_invariants(result, "rendu.txt")


@ROUND_TRIP_VARIANTS
@given(fiches(), st.sampled_from(["\n", "\r\n", "\r"]), st.booleans())
def test_round_trip_survives_line_endings_and_bom(fiche, ending, bom):
    text = render_corpus([fiche, dataclasses.replace(fiche)])
    data = ("\ufeff" if bom else "") + text.replace("\n", ending)
    result = parse_bytes(data.encode("utf-8"), "rendu.txt")
    assert result.problems == []
    assert [record(f) for f in result.fiches] == [record(fiche)] * 2
    assert result.fiches[0].id != result.fiches[1].id


def test_sample_corpus_round_trips(sample_corpus):
    original = parse_corpus(sample_corpus).fiches
    assert all(render_problems(f) == [] for f in original)
    again = parse_text(render_corpus(original), "rendu.txt")
    assert again.problems == []
    assert [record(f) for f in again.fiches] == [record(f) for f in original]
    assert [f.id for f in again.fiches] == [f.id for f in original]


def test_render_problems_names_what_would_not_survive():
    fiche = Fiche(id="x", title="Actions", keywords=["Public", "Public"], summary="a\n- Résumé\nb  ",
                  structure="Centre - Somme", department="", year="20|15")
    assert render_problems(fiche) == [
        "title : se lit comme un libellé ou un début de fiche",
        "year : contient « | »",
        "department : vide, mais la structure se termine par « - Département »",
        "keywords : « - Public » se lit comme un libellé",
        "keywords : « - Public » se lit comme un libellé",
        "keywords : valeurs répétées",
        "summary : la ligne « - Résumé » se lit comme un libellé ou un début de fiche",
        "summary : espaces en fin de ligne",
    ]


def test_render_fiche_writes_the_export_layout():
    fiche = Fiche(id="x", title="Sortie", structure="Centre - Somme", keywords=["Santé"],
                  partners=["Mairie"], summary="Ligne 1\n- puce")
    lines = render_fiche(fiche).split("\n")
    assert lines[:4] == ["Actions", "Sortie", "- Structure organisatrice", "- Centre - Somme"]
    i = lines.index("- Mots clés associés à l'action")
    assert lines[i + 1:i + 3] == ["-", "- Santé"]
    i = lines.index("- Avec qui cette action a-t-elle été menée ?")
    assert lines[i + 1:i + 4] == ["-", "Partenaires d'action:", "- Mairie"]
    i = lines.index("- Résumé")
    assert lines[i + 1:i + 3] == ["Ligne 1", "- puce"]
