"""Stable ids and retired ids: a title's spelling changes keep the id; ids that leave keep an answer."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from indexer.build import build_index, read_current, remove_fiche
from indexer.parse import fiche_id, identity_key, parse_bytes
from indexer.retired import RETIRED_FILE, read_retired

SAMPLE = Path(__file__).resolve().parent.parent / "corpus" / "actions-centres-sociaux-2015.txt"
TURIN = "Sortie Turin"


def turin_block() -> bytes:
    data = SAMPLE.read_bytes()
    return data[data.index(b"Actions\nSortie Turin"):data.index(b"Actions\nCaf")]


@pytest.mark.parametrize("spelling", ["SORTIE TURIN", "sortie turin", "Sortie  Turin", "Sortie-Turin !",
                                      "Sortie Turin.", "Sortie Turïn", "  Sortie Turin  "])
def test_case_accents_punctuation_and_spacing_keep_the_id(spelling):
    original = parse_bytes(turin_block(), "a.txt").fiches[0]
    renamed = parse_bytes(turin_block().replace(TURIN.encode(), spelling.encode(), 1), "a.txt").fiches[0]
    assert renamed.title != original.title or spelling == "  Sortie Turin  "
    assert renamed.id == original.id


def test_other_words_make_another_id_and_duplicates_stay_apart():
    assert fiche_id("Infos familles", "CS", 0) == fiche_id("Infos Familles", "CS", 0) != fiche_id("Infos jeunes", "CS", 0)
    assert fiche_id("Infos familles", "CS", 0) != fiche_id("Infos familles", "CS", 1)
    assert fiche_id("Infos familles", "CS", 0) != fiche_id("Infos familles", "Autre CS", 0)
    two = parse_bytes(turin_block() + turin_block().replace(TURIN.encode(), b"SORTIE TURIN", 1), "b.txt").fiches
    assert len({fiche.id for fiche in two}) == 2
    assert identity_key("Côte-d’Or  !") == "cotedor"


def renamed(fiche, title: str):
    return replace(fiche, title=title, id=fiche_id(title, fiche.structure, 0))


def test_first_build_retires_nothing(tmp_path, sample_fiches):
    build_index(sample_fiches, tmp_path)
    assert not (read_current(tmp_path).path / RETIRED_FILE).exists()


def test_a_replaced_fiche_points_to_its_replacement(tmp_path, sample_fiches):
    build_index(sample_fiches, tmp_path)
    turin = next(f for f in sample_fiches if f.title == TURIN)
    successor = renamed(turin, "Voyage des jeunes à Turin")
    build_index([successor if f is turin else f for f in sample_fiches], tmp_path)
    retired = read_retired(read_current(tmp_path).path)
    assert set(retired) == {turin.id}
    entry = retired[turin.id]
    assert (entry.title, entry.structure, entry.department, entry.year) == (
        turin.title, turin.structure, turin.department, turin.year)
    assert entry.replaced_by == successor.id


def test_a_fiche_gone_without_single_replacement_has_none(tmp_path, sample_fiches):
    build_index(sample_fiches, tmp_path)
    turin = next(f for f in sample_fiches if f.title == TURIN)
    twins = [renamed(turin, "Turin, premier voyage"), renamed(turin, "Turin, second voyage")]
    build_index([f for f in sample_fiches if f is not turin] + twins, tmp_path)
    assert read_retired(read_current(tmp_path).path)[turin.id].replaced_by is None


def test_retired_ids_are_carried_until_they_come_back(tmp_path, sample_fiches):
    build_index(sample_fiches, tmp_path)
    turin = next(f for f in sample_fiches if f.title == TURIN)
    others = [f for f in sample_fiches if f is not turin]
    build_index(others, tmp_path)
    build_index(others, tmp_path)
    assert set(read_retired(read_current(tmp_path).path)) == {turin.id}
    build_index(sample_fiches, tmp_path)
    assert read_retired(read_current(tmp_path).path) == {}


def test_remove_retires_the_fiche_without_touching_the_previous_generation(tmp_path, sample_fiches):
    build_index(sample_fiches, tmp_path)
    first = sample_fiches[0]
    second = sample_fiches[1]
    remove_fiche(first.id, tmp_path)
    before = read_current(tmp_path)
    remove_fiche(second.id, tmp_path)
    assert set(read_retired(read_current(tmp_path).path)) == {first.id, second.id}
    assert set(read_retired(before.path)) == {first.id}


def test_unreadable_retired_file_means_no_retired_ids(tmp_path):
    (tmp_path / RETIRED_FILE).write_text("{pas du json", encoding="utf-8")
    assert read_retired(tmp_path) == {}
    assert read_retired(tmp_path / "absent") == {}


def test_a_build_after_a_removal_sees_deleted_documents_as_not_served(tmp_path, sample_fiches):
    build_index(sample_fiches, tmp_path)
    removed, dropped = sample_fiches[0], sample_fiches[1]
    remove_fiche(removed.id, tmp_path)
    build_index([f for f in sample_fiches if f is not dropped], tmp_path)
    retired = read_retired(read_current(tmp_path).path)
    assert set(retired) == {dropped.id}
    place = (dropped.structure, dropped.department, dropped.year)
    newcomers = [f.id for f in (removed,) if (f.structure, f.department, f.year) == place]
    assert retired[dropped.id].replaced_by == (newcomers[0] if newcomers else None)
