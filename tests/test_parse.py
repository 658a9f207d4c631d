"""Parser: the acceptance list of issue 2 on the sample corpus, tolerated variations, bad input."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from unidecode import unidecode

from indexer.fiche import Fiche
from indexer.parse import (
    ENCODING,
    INCOMPLETE,
    UNTITLED,
    ParseResult,
    parse_bytes,
    parse_corpus,
    parse_file,
    parse_text,
)

SAMPLE = Path(__file__).resolve().parent.parent / "corpus" / "actions-centres-sociaux-2015.txt"
SAMPLE_BYTES = SAMPLE.read_bytes()
SAMPLE_LINES = SAMPLE_BYTES.decode("utf-8").split("\n")
FIRST_BLOCK = SAMPLE_BYTES.index(b"\nActions\n") + 1
ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def by_title(fiches: list[Fiche], title: str) -> Fiche:
    matches = [f for f in fiches if f.title == title]
    assert len(matches) == 1, f"{len(matches)} fiches titled {title!r}"
    return matches[0]


def records(result: ParseResult) -> list[dict]:
    """What a fiche says, without where it was read from."""
    return [{k: v for k, v in f.to_dict().items() if k not in ("source_file", "source_line")}
            for f in result.fiches]


def assert_accounted(result: ParseResult) -> None:
    """Nothing silently dropped: every block is a fiche or counted as rejected."""
    assert len(result.fiches) + result.rejected == result.blocks


@pytest.fixture(scope="module")
def sample() -> ParseResult:
    result = parse_bytes(SAMPLE_BYTES, "corpus.txt")
    assert result.problems == []
    return result


# -- acceptance on the sample corpus -------------------------------------------

def test_sample_has_14_fiches(sample):
    assert len(sample.fiches) == 14
    assert sample.blocks == 14
    assert sample.summary() == "14 indexées, 0 rejetées"


def test_sample_status_counts(sample):
    assert Counter(f.status for f in sample.fiches) == {"En cours": 10, "Terminée": 3, "": 1}


def test_sample_dimension_counts(sample):
    assert Counter(f.dimension for f in sample.fiches) == {
        "Citoyenneté": 7, "Accompagnement de projets": 4, "Services": 3}


def test_sample_keyword_and_public_counts(sample):
    assert sum("Parentalité" in f.keywords for f in sample.fiches) == 8
    assert sum("familles" in f.public for f in sample.fiches) == 6


def test_sortie_turin(sample):
    fiche = by_title(sample.fiches, "Sortie Turin")
    assert (fiche.department, fiche.year) == ("Haute-Savoie", "2015")
    assert fiche.keywords == ["vacances / loisirs"]
    assert fiche.status == "Terminée"
    assert fiche.structure == "FORUM DES ROMAINS MJC-Centre Social - Haute-Savoie"
    assert fiche.structure_name == "FORUM DES ROMAINS MJC-Centre Social"


def test_atelier_parents_enfants_has_empty_status_and_public(sample):
    fiche = by_title(sample.fiches, "atelier parents enfants")
    assert fiche.status == ""
    assert fiche.public == []
    assert fiche.territory == ""
    assert fiche.experience == ""
    assert fiche.dimension == "Services"
    # "Public" without a dash inside the résumé is content, not the label.
    assert "\nPublic\nLes parents avec une attention particulière" in fiche.summary


def test_infos_familles_has_11_keywords(sample):
    fiche = by_title(sample.fiches, "Infos familles")
    assert fiche.keywords == [
        "intergénérationnel", "Parentalité", "Solidarité", "Viellissement", "Santé", "Logement",
        "Précarité", "Intégration", "mobilité / transport", "discriminations", "Mixité sociale"]
    assert fiche.initiative == ["Un groupe d'habitants", "Autre"]
    assert fiche.territory == "Une commune"


def test_bullets_inside_free_text_stay_content(sample):
    fiche = by_title(sample.fiches, "Bulle détente : socio-esthétique - action d'insertion")
    lines = fiche.summary.split("\n")
    assert lines[0].startswith("3 sessions de 7 séances de socio-esthétique")
    assert lines[1:6] == [
        "- Contribuer à un mieux-être des personnes accueillies.",
        "- Travailler sur l’image de soi, tant esthétique que vestimentaire, afin de favoriser "
        "une reprise de confiance et une revalorisation de la personne.",
        "- Faciliter les démarches de communication et de contact vers l’extérieur.",
        "- Créer des liens sociaux pour favoriser une meilleure insertion.",
        "- Favoriser l’entraide en développant la participation active des personnes aux soins.",
    ]
    assert lines[6] == "Description"
    assert lines[-1] == "La coordinatrice de l'Espace Saint-Exupéry coordonne et suit les actions."
    grossesses = by_title(sample.fiches, "Les grossesses juvéniles")
    assert grossesses.result_centre.split("\n") == [
        "- démarche concertée",
        "- développer une action novatrice dans le domaine de la promotion prévention santé, "
        "actions spécique sur les grossesses juvéniles",
        "- inscription à terme de l'action au contrat local de santé du territoire",
    ]


def test_partners_exclude_the_sub_heading(sample):
    for fiche in sample.fiches:
        assert fiche.partners == ["Conseil départemental"]
        for values in (fiche.partners, fiche.keywords, fiche.initiative, fiche.public, fiche.files):
            assert all("Partenaires" not in value for value in values)
            assert "" not in values


def test_territory_appears_twice(sample):
    fiche = by_title(sample.fiches, "Les grossesses juvéniles")
    assert (fiche.territory, fiche.partners_territory) == ("Autre", "Autre")
    assert fiche.initiative == ["Le centre social", "Un ou plusieurs partenaire(s)", "Un groupe d'habitants"]


def test_department_comes_from_the_header_table(sample):
    assert [(f.title, f.department, f.year) for f in sample.fiches[:3]] == [
        ("Les grossesses juvéniles", "Somme", "2015"),
        ("Bulle détente : socio-esthétique - action d'insertion", "Loir-et-Cher", "2015"),
        ("Infos familles", "Yvelines", "2015"),
    ]
    assert all(f.year == "2015" for f in sample.fiches)


def test_department_falls_back_on_the_structure_without_header(sample):
    result = parse_bytes(SAMPLE_BYTES[FIRST_BLOCK:], "sans-entete.txt")
    assert result.problems == []
    assert [f.department for f in result.fiches] == [f.department for f in sample.fiches]
    assert all(f.year == "" for f in result.fiches)


def test_header_department_wins_over_the_structure():
    text = SAMPLE_BYTES.decode().replace("Sortie Turin | Haute-Savoie | 2015 |", "Sortie Turin | Savoie | 2014 |")
    fiche = by_title(parse_text(text).fiches, "Sortie Turin")
    assert (fiche.department, fiche.year) == ("Savoie", "2014")
    assert fiche.structure_name == "FORUM DES ROMAINS MJC-Centre Social - Haute-Savoie"


def test_ids_are_stable_and_url_safe(sample):
    again = parse_bytes(SAMPLE_BYTES, "ailleurs/autre-nom.txt")
    assert [f.id for f in again.fiches] == [f.id for f in sample.fiches]
    assert len({f.id for f in sample.fiches}) == 14
    for fiche in sample.fiches:
        assert ID_PATTERN.fullmatch(fiche.id), fiche.id
    assert by_title(sample.fiches, "Sortie Turin").id == "sortie-turin-74e6c7e5"
    assert by_title(sample.fiches, 'Projet "le peloton de la construction"').id == \
        "projet-le-peloton-de-la-construction-464cb8dc"


def test_two_fiches_with_the_same_title_are_both_kept():
    block = SAMPLE_BYTES[SAMPLE_BYTES.index(b"Actions\nSortie Turin"):SAMPLE_BYTES.index(b"Actions\nCaf")]
    other = block.replace(b"FORUM DES ROMAINS MJC-Centre Social", b"Autre centre")
    result = parse_bytes(block + block + other, "doubles.txt")
    assert result.problems == []
    assert [f.title for f in result.fiches] == ["Sortie Turin"] * 3
    ids = [f.id for f in result.fiches]
    assert len(set(ids)) == 3
    assert all(ID_PATTERN.fullmatch(i) for i in ids)
    assert [f.id for f in parse_bytes(block + block + other, "doubles.txt").fiches] == ids


def test_duplicate_titles_across_corpus_files_keep_distinct_ids(tmp_path):
    (tmp_path / "a.txt").write_bytes(SAMPLE_BYTES)
    (tmp_path / "b.txt").write_bytes(SAMPLE_BYTES)
    result = parse_corpus(tmp_path)
    assert len(result.fiches) == 28
    assert len({f.id for f in result.fiches}) == 28
    assert [f.source_file for f in result.fiches[::14]] == [str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]


@pytest.mark.parametrize("variant", ["crlf", "bom", "trailing-spaces", "typographic-apostrophes",
                                     "label-case-and-accents", "all"])
def test_tolerated_variations_give_the_same_records(sample, variant):
    text = SAMPLE_BYTES.decode("utf-8")
    if variant in ("trailing-spaces", "all"):
        text = "\n".join(line + " \t " if i % 2 else line + "  " for i, line in enumerate(text.split("\n")))
    if variant in ("typographic-apostrophes", "all"):
        text = re.sub(r"^- (.*)$", lambda m: "- " + m.group(1).replace("'", "’")
                      if m.group(1).startswith(("Statut de l'", "Qui est à l'", "Suite de l'", "Mots clés", "Raisons",
                                                "Description de l'"))
                      else m.group(0), text, flags=re.M)
        assert "- Statut de l’action" in text
    if variant in ("label-case-and-accents", "all"):
        text = text.replace("- Résumé\n", "- RESUME\n").replace("- Statut de l", "-Statut  de l")
    data = text.encode("utf-8")
    if variant in ("crlf", "all"):
        data = data.replace(b"\n", b"\r\n")
    if variant in ("bom", "all"):
        data = b"\xef\xbb\xbf" + data
    result = parse_bytes(data, "variante.txt")
    assert result.problems == []
    assert records(result) == records(sample)


def test_mixed_line_endings_give_the_same_records(sample):
    endings = [b"\r\n", b"\n", b"\r"]
    lines = SAMPLE_BYTES.split(b"\n")
    data = b"".join(line + endings[i % 3] for i, line in enumerate(lines))
    result = parse_bytes(data, "fins-de-ligne.txt")
    assert result.problems == []
    assert records(result) == records(sample)
    assert [f.source_line for f in result.fiches] == [f.source_line for f in sample.fiches]


def test_actions_sub_heading_inside_free_text_stays_content(sample):
    text = SAMPLE_BYTES.decode().replace(
        "Le projet vient de la demande de quelques habitants",
        "Actions\n- sorties du samedi\n- ateliers de réparation\nLe projet vient de la demande de quelques habitants")
    result = parse_text(text, "sous-titre.txt")
    assert result.problems == []
    fiche = by_title(result.fiches, 'Projet "le peloton de la construction"')
    assert fiche.experience.startswith("Actions\n- sorties du samedi\n- ateliers de réparation\nLe projet vient")
    assert len(result.fiches) == 14


def test_multi_line_title_is_joined():
    text = SAMPLE_BYTES.decode().replace("Actions\nSortie Turin\n", "Actions\nSortie\n  Turin  \n")
    result = parse_text(text)
    assert "Sortie Turin" in [f.title for f in result.fiches]


# -- bad input: each problem located, the rest kept -------------------------------

def test_non_utf8_line_rejects_only_its_block(sample):
    data = SAMPLE_BYTES.replace("- Robert Doisneau - Eure".encode(), "- Robert Doisn\xe9au - Eure".encode("latin-1"))
    result = parse_bytes(data, "corpus.txt")
    assert [str(p) for p in result.problems] == [
        "corpus.txt:274: texte non UTF-8 (octet 0xE9 en colonne 15) ; convertissez le fichier en UTF-8 ; "
        "fiche « Café des parents » rejetée"]
    assert result.problems[0].code == ENCODING
    assert len(result.fiches) == 13
    assert "Café des parents" not in [f.title for f in result.fiches]
    assert records(result) == [r for r in records(sample) if r["title"] != "Café des parents"]
    assert result.summary() == "13 indexées, 1 rejetées"
    assert_accounted(result)


def test_block_without_title_is_reported():
    data = SAMPLE_BYTES.replace(b"Actions\nSortie Turin\n", b"Actions\n\n")
    result = parse_bytes(data, "sans-titre.txt")
    assert [str(p) for p in result.problems] == ["sans-titre.txt:212: bloc « Actions » sans titre"]
    assert result.problems[0].code == UNTITLED
    assert len(result.fiches) == 13
    assert_accounted(result)


def test_truncated_file_reports_the_last_block_and_keeps_the_others():
    data = "\n".join(SAMPLE_LINES[:300]).encode()
    result = parse_bytes(data, "tronque.txt")
    assert [str(p) for p in result.problems] == [
        "tronque.txt:272: fiche « Café des parents » incomplète (fichier tronqué ?) : 12 rubriques manquantes : "
        "« Qui est à l'initiative de l'action ? », « Territoire concerné », "
        "« Description de l'expérience, ses objectifs, ses acteurs et ses différentes phases. », …"]
    assert result.problems[0].code == INCOMPLETE
    assert [f.title for f in result.fiches] == [
        "Les grossesses juvéniles", "Bulle détente : socio-esthétique - action d'insertion",
        "Infos familles", "Sortie Turin"]
    assert result.summary() == "4 indexées, 1 rejetées"
    assert_accounted(result)


def test_file_truncated_inside_a_character():
    cut = SAMPLE_BYTES.index("Résumé".encode(), SAMPLE_BYTES.index(b"Actions\nSortie Turin")) + 2
    result = parse_bytes(SAMPLE_BYTES[:cut], "coupe.txt")
    assert [str(p) for p in result.problems] == [
        "coupe.txt:225: texte non UTF-8 (octet 0xC3 en colonne 4) ; convertissez le fichier en UTF-8 ; "
        "fiche « Sortie Turin » rejetée"]
    assert len(result.fiches) == 3


def test_incomplete_block_in_the_middle_is_not_called_truncated():
    data = SAMPLE_BYTES.replace(b"- Public\n- Adultes\n- Avec qui", b"- Avec qui", 1)
    result = parse_bytes(data, "milieu.txt")
    assert [str(p) for p in result.problems] == [
        "milieu.txt:19: fiche « Les grossesses juvéniles » incomplète : 1 rubrique manquante : « Public »"]
    assert len(result.fiches) == 13


@pytest.mark.parametrize("data", [b"", b"   \n\n\t\r\n", b"\xef\xbb\xbf", b"\xef\xbb\xbf\n \n"])
def test_empty_file(data):
    result = parse_bytes(data, "vide.txt")
    assert [str(p) for p in result.problems] == ["vide.txt:1: fichier vide"]
    assert result.fiches == []
    assert result.summary() == "0 indexées, 0 rejetées, 1 fichier(s) ignoré(s)"


def test_binary_file():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)) * 40
    result = parse_bytes(png, "image.txt")
    assert [str(p) for p in result.problems] == [
        "image.txt:1: fichier binaire (octets nuls) : ce n'est pas un export texte"]
    assert result.fiches == []


def test_utf16_file():
    result = parse_bytes(SAMPLE_BYTES.decode().encode("utf-16"), "unicode.txt")
    assert [str(p) for p in result.problems] == ["unicode.txt:1: fichier en UTF-16 : enregistrez-le en UTF-8"]


def test_binary_without_nul_bytes_finds_no_block():
    noise = bytes((i * 37 + 11) % 255 + 1 for i in range(20_000))
    result = parse_bytes(noise, "bruit.txt")
    assert [str(p) for p in result.problems] == ["bruit.txt:1: aucune ligne « Actions » : aucune fiche trouvée"]


def test_nul_byte_after_the_probe_rejects_only_its_block():
    data = SAMPLE_BYTES.replace(b"CENTRE SOCIAL Rosa Parks", b"CENTRE SOCIAL Rosa\x00Parks")
    assert data.index(b"\x00") > 8192
    result = parse_bytes(data, "nul.txt")
    assert [str(p) for p in result.problems] == [
        "nul.txt:736: caractère nul (octet 0x00 en colonne 21) ; "
        "fiche « Jardin partagé: un outil de lien social et de participation citoyenne » rejetée"]
    assert len(result.fiches) == 13


def test_latin1_file_gets_one_clear_message():
    for data in (SAMPLE_BYTES.decode("utf-8").encode("cp1252"),
                 SAMPLE_BYTES.decode("utf-8").encode("latin-1", errors="replace")):
        result = parse_bytes(data, "latin1.txt")
        assert [str(p) for p in result.problems] == [
            "latin1.txt:2: fichier non UTF-8, probablement en Latin-1 / Windows-1252 (octet 0xE9 en colonne 8) : "
            "14 fiche(s) rejetée(s) sur 14 ; convertissez-le en UTF-8, par exemple avec "
            "« iconv -f WINDOWS-1252 -t UTF-8 »"]
        assert result.fiches == []
        assert result.summary() == "0 indexées, 14 rejetées"
        assert_accounted(result)


def test_latin1_file_keeps_its_ascii_only_fiches():
    peloton = SAMPLE_BYTES[SAMPLE_BYTES.index(b"Actions\nProjet"):SAMPLE_BYTES.index(b"Actions\nJardin")]
    turin = SAMPLE_BYTES[SAMPLE_BYTES.index(b"Actions\nSortie Turin"):SAMPLE_BYTES.index(b"Actions\nCaf")]
    ascii_only = unidecode(peloton.decode()).encode("ascii")
    data = ascii_only + turin.decode().encode("latin-1", errors="replace")
    result = parse_bytes(data, "latin1.txt")
    assert [f.title for f in result.fiches] == ['Projet "le peloton de la construction"']
    assert result.fiches[0].keywords == ["intergenerationnel", "Parentalite", "vacances / loisirs"]
    assert [str(p) for p in result.problems] == [
        "latin1.txt:46: fichier non UTF-8, probablement en Latin-1 / Windows-1252 (octet 0xE9 en colonne 20) : "
        "1 fiche(s) rejetée(s) sur 2 ; convertissez-le en UTF-8, par exemple avec "
        "« iconv -f WINDOWS-1252 -t UTF-8 »"]
    assert_accounted(result)


def test_a_thousand_actions_lines_in_a_row_give_one_message(sample):
    second = SAMPLE_BYTES.index(b"Actions\nBulle")
    data = SAMPLE_BYTES[:second] + b"Actions\n" * 1000 + SAMPLE_BYTES[second:]
    result = parse_bytes(data, "mille.txt")
    assert [str(p) for p in result.problems] == [
        "mille.txt:77: 1000 blocs « Actions » sans titre (lignes 77 à 1076)"]
    assert result.problems[0].rejected == 1000
    assert records(result) == records(sample)
    assert result.summary() == "14 indexées, 1000 rejetées"
    assert_accounted(result)


def test_untitled_blocks_separated_by_blank_lines_collapse_too():
    data = SAMPLE_BYTES + b"\n" + b"Actions\n\n\n\n" * 500
    result = parse_bytes(data, "espaces.txt")
    assert [str(p) for p in result.problems] == [
        "espaces.txt:893: 500 blocs « Actions » sans titre (lignes 893 à 2889)"]
    assert len(result.fiches) == 14
    assert_accounted(result)


def test_a_few_untitled_blocks_are_listed_one_by_one():
    data = b"Actions\n\nActions\n- Structure organisatrice\n- X - Somme\n"
    result = parse_bytes(data, "deux.txt")
    assert [str(p) for p in result.problems] == [
        "deux.txt:1: bloc « Actions » sans titre", "deux.txt:3: bloc « Actions » sans titre"]


def test_hostile_titles_are_shortened_and_escaped_in_messages():
    title = "\x1b[31mrouge" + "x" * 200
    result = parse_text(f"Actions\n{title}\n- Structure organisatrice\n- Centre - Somme\n")
    reason = result.problems[0].reason
    assert "\x1b" not in reason
    assert reason.startswith("fiche « \\u001b[31mrougexxx")
    assert "x…" in reason
    assert len(reason) < 400


@pytest.mark.slow
def test_50_mb_corpus_file(tmp_path):
    blocks = SAMPLE_BYTES[FIRST_BLOCK:]
    if not blocks.endswith(b"\n"):
        blocks += b"\n"
    copies = 50_000_000 // len(blocks) + 1
    path = tmp_path / "gros.txt"
    with open(path, "wb") as handle:
        handle.write(SAMPLE_BYTES[:FIRST_BLOCK])
        for _ in range(copies):
            handle.write(blocks)
    assert path.stat().st_size >= 50_000_000
    result = parse_file(path)
    assert result.problems == []
    assert len(result.fiches) == 14 * copies
    assert len({f.id for f in result.fiches}) == 14 * copies
    departments = [f.department for f in result.fiches]
    assert departments[-14:] == departments[:14]
    assert Counter(departments)["Loire-Atlantique"] == 4 * copies


def test_unreadable_file(tmp_path):
    missing = tmp_path / "absent.txt"
    result = parse_file(missing)
    assert [str(p) for p in result.problems] == [f"{missing}:0: lecture impossible : fichier ou dossier introuvable"]
    assert [str(p) for p in parse_file(tmp_path).problems] == [f"{tmp_path}:0: lecture impossible : c'est un dossier"]


def test_missing_corpus_folder(tmp_path):
    result = parse_corpus(tmp_path / "nulle-part")
    assert [str(p) for p in result.problems] == [f"{tmp_path / 'nulle-part'}:0: dossier du corpus introuvable"]
    empty = tmp_path / "vide"
    empty.mkdir()
    assert [str(p) for p in parse_corpus(empty).problems] == [
        f"{empty}:0: aucun fichier .txt dans le dossier du corpus"]


def test_a_stray_nul_byte_in_the_first_kilobytes_rejects_only_its_block():
    data = SAMPLE_BYTES.replace(b"recrudescence", b"recru\x00descence", 1)
    assert 0 <= data.index(b"\x00") < 8192
    result = parse_bytes(data, "nul.txt")
    assert len(result.fiches) == 13
    assert len(result.problems) == 1
    assert result.problems[0].rejected == 1
    assert str(result.problems[0]).startswith("nul.txt:")
    assert "caractère nul (octet 0x00 en colonne" in str(result.problems[0])
