"""Reading corpus files: special files are refused without blocking, large files without reading them."""

from __future__ import annotations

import os
import threading

import pytest

from indexer.parse import parse_corpus, parse_file
from indexer.source import FileTooLarge, NotRegularFile, read_regular_file


def in_thread(function, *args):
    """Runs `function` in a daemon thread; fails the test if it does not return within 10 s (a hang)."""
    outcome = {}

    def run():
        try:
            outcome["value"] = function(*args)
        except BaseException as exc:  # reported to the test
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(10)
    assert not thread.is_alive(), f"{function.__name__} blocked"
    return outcome


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "tube.txt"
    os.mkfifo(fifo)
    outcome = in_thread(read_regular_file, fifo, 1000)
    assert isinstance(outcome.get("error"), NotRegularFile)
    assert str(outcome["error"]) == "ce n'est pas un fichier ordinaire mais un tube nommé (FIFO) : ignoré"


def test_a_symlink_to_dev_zero_is_refused_without_reading(tmp_path):
    link = tmp_path / "zero.txt"
    link.symlink_to("/dev/zero")
    outcome = in_thread(parse_file, link)
    assert [str(p) for p in outcome["value"].problems] == [
        f"{link}:0: ce n'est pas un fichier ordinaire mais un périphérique : ignoré"]


def test_a_symlink_to_a_regular_file_is_read(tmp_path):
    (tmp_path / "vrai.txt").write_bytes(b"Actions\n")
    (tmp_path / "lien.txt").symlink_to(tmp_path / "vrai.txt")
    assert read_regular_file(tmp_path / "lien.txt", 100) == b"Actions\n"


def test_files_above_the_cap_are_refused(tmp_path):
    big = tmp_path / "gros.txt"
    big.write_bytes(b"x" * (3 * 1024 * 1024))
    with pytest.raises(FileTooLarge) as error:
        read_regular_file(big, 2 * 1024 * 1024)
    assert str(error.value) == ("fichier trop volumineux (3 Mio, maximum 2 Mio) : ignoré ; "
                                "découpez-le ou relevez SEARCH_MAX_FILE_BYTES")
    assert read_regular_file(big, 3 * 1024 * 1024) == b"x" * (3 * 1024 * 1024)


def test_a_corpus_with_accidents_names_each_skipped_file(tmp_path, sample_corpus):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_bytes((sample_corpus / "actions-centres-sociaux-2015.txt").read_bytes())
    os.mkfifo(corpus / "b-tube.txt")
    (corpus / "c-zero.txt").symlink_to("/dev/zero")
    (corpus / "d-dossier.txt").mkdir()
    (corpus / "e-gros.txt").write_bytes(b"Actions\n" * 200_000)
    outcome = in_thread(parse_corpus, corpus, 1_000_000)
    result = outcome["value"]
    assert len(result.fiches) == 14
    assert [str(p) for p in result.problems] == [
        f"{corpus / 'b-tube.txt'}:0: ce n'est pas un fichier ordinaire mais un tube nommé (FIFO) : ignoré",
        f"{corpus / 'c-zero.txt'}:0: ce n'est pas un fichier ordinaire mais un périphérique : ignoré",
        f"{corpus / 'd-dossier.txt'}:0: lecture impossible : c'est un dossier",
        f"{corpus / 'e-gros.txt'}:0: fichier trop volumineux (1,5 Mio, maximum 1000000 octets) : ignoré ; "
        "découpez-le ou relevez SEARCH_MAX_FILE_BYTES",
    ]
    assert result.summary() == "14 indexées, 0 rejetées, 4 fichier(s) ignoré(s)"
