"""The bulk segment writer: the same files as Whoosh's writer, and the parallel build around it."""

from __future__ import annotations

import errno
import hashlib
import multiprocessing
import os
import pickle
import signal
import threading
import time
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.codec import default_codec
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import ID, KEYWORD, NGRAM, TEXT, Schema
from whoosh.index import TOC

import indexer.parallel as parallel_module
from benchmarks.generate import write_corpus
from indexer.analysis import SectionedText
from indexer.build import GENERATIONS_DIR, add_fiches, build_index, open_current, read_current
from indexer.errors import BuildFailed
from indexer.parse import parse_corpus
from indexer.schema import build_schema, fiche_document
from indexer.segment import BulkSegmentWriter, UnsupportedSchema, check_schema


@pytest.fixture(scope="module")
def synthetic_fiches(tmp_path_factory):
    """300 generated fiches: common terms span several 128-posting blocks."""
    folder = tmp_path_factory.mktemp("synthetic")
    write_corpus(300, folder, seed=11, files=1, procs=1)
    result = parse_corpus(folder)
    assert not result.problems
    return result.fiches


def segment_files(folder: Path) -> dict[str, str]:
    """Digest of each segment file, keyed by what follows the (random) segment name."""
    files = {}
    for path in folder.iterdir():
        if path.name.startswith("MAIN_") and path.name != "MAIN_WRITELOCK":
            files[path.name.split(".", 1)[1]] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files


def written_by_whoosh(folder: Path, documents: list[dict]) -> dict[str, str]:
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), build_schema())
    writer = ix.writer(compound=False)
    for document in documents:
        writer.add_document(**document)
    writer.commit()
    return segment_files(folder)


def written_in_bulk(folder: Path, documents: list[dict]) -> dict[str, str]:
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), build_schema())
    writer = BulkSegmentWriter(ix.storage, ix.schema, default_codec(), ix.indexname)
    for document in documents:
        writer.add_document(document)
    segment = writer.finish()
    TOC(ix.schema, [segment], 1).write(ix.storage, ix.indexname)
    return segment_files(folder)


@pytest.mark.parametrize("corpus", ["sample", "synthetic"])
def test_bulk_writer_writes_the_same_bytes_as_whoosh(corpus, sample_fiches, synthetic_fiches, tmp_path):
    fiches = sample_fiches if corpus == "sample" else synthetic_fiches
    documents = [fiche_document(fiche) for fiche in fiches]
    expected = written_by_whoosh(tmp_path / "whoosh", documents)
    got = written_in_bulk(tmp_path / "bulk", documents)
    assert {"pst", "trm", "_stored.col", "_body_len.col", "title_sort.col"} <= set(expected)
    assert got == expected


def test_bulk_segment_reads_back_through_whoosh(synthetic_fiches, tmp_path):
    documents = [fiche_document(fiche) for fiche in synthetic_fiches]
    written_in_bulk(tmp_path / "bulk", documents)
    ix = whoosh_index.open_dir(str(tmp_path / "bulk"))
    with ix.searcher() as searcher:
        assert searcher.doc_count() == len(documents)
        assert searcher.stored_fields(0)["id"] == documents[0]["id"]
        common = max(searcher.lexicon("body"), key=lambda term: searcher.doc_frequency("body", term))
        postings = list(searcher.postings("body", common).all_ids())
    assert len(postings) > 128
    assert postings == sorted(postings)


def test_unknown_fields_are_refused(tmp_path):
    ix = whoosh_index.create_in(str(tmp_path), build_schema())
    writer = BulkSegmentWriter(ix.storage, ix.schema, default_codec(), ix.indexname)
    with pytest.raises(ValueError, match="champs inconnus du schéma ou réservés : couleur"):
        writer.add_document({"id": "x", "couleur": "bleu"})
    writer.cancel()


@pytest.mark.parametrize("schema", [
    Schema(text=TEXT()),  # positions
    Schema(text=TEXT(phrase=False, field_boost=2.0)),
    Schema(tags=KEYWORD(vector=True)),
    Schema(text=TEXT(phrase=False, spelling=True, analyzer=StemmingAnalyzer())),
], ids=["positions", "field-boost", "vectors", "separate-spelling"])
def test_schemas_the_writer_cannot_reproduce_are_refused(schema):
    with pytest.raises(UnsupportedSchema):
        check_schema(schema)


def test_the_product_schema_is_supported():
    check_schema(build_schema())
    check_schema(Schema(id=ID(stored=True), tags=KEYWORD(), grams=NGRAM()))


@pytest.fixture
def parallel_everywhere(monkeypatch):
    monkeypatch.setattr(parallel_module, "PARALLEL_THRESHOLD", 2)


def stored_records(root: Path) -> list[dict]:
    _, ix = open_current(root)
    with ix.searcher() as searcher:
        return [searcher.stored_fields(docnum) for docnum in range(searcher.doc_count_all())]


def test_parallel_build_keeps_the_fiches_in_order(parallel_everywhere, synthetic_fiches, tmp_path):
    build_index(synthetic_fiches, tmp_path / "one", procs=1)
    build_index(synthetic_fiches, tmp_path / "two", procs=2)
    _, ix = open_current(tmp_path / "two")
    assert len(ix._segments()) == 2
    assert stored_records(tmp_path / "two") == stored_records(tmp_path / "one")
    leftovers = [p.name for p in read_current(tmp_path / "two").path.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_a_failing_worker_fails_the_build_and_keeps_the_served_index(parallel_everywhere, monkeypatch,
                                                                      sample_fiches, synthetic_fiches, tmp_path):
    root = tmp_path / "index"
    served = build_index(sample_fiches, root).generation.name
    poisoned = synthetic_fiches[-1].id

    def document(fiche):
        if fiche.id == poisoned:
            raise RuntimeError("fiche empoisonnée")
        return fiche_document(fiche)

    monkeypatch.setattr(parallel_module, "fiche_document", document)
    with pytest.raises(BuildFailed, match="RuntimeError : fiche empoisonnée"):
        build_index(synthetic_fiches, root, procs=2)
    assert read_current(root).name == served
    assert [p.name for p in (root / GENERATIONS_DIR).iterdir()] == [served]


def test_progress_counts_every_fiche_of_every_process(parallel_everywhere, synthetic_fiches, tmp_path, capsys):
    build_index(synthetic_fiches, tmp_path / "index", procs=2, show_progress=True)
    err = capsys.readouterr().err
    assert f"{len(synthetic_fiches)}/{len(synthetic_fiches)}" in err


def test_an_empty_corpus_gives_an_empty_index_that_accepts_fiches(sample_fiches, tmp_path):
    root = tmp_path / "index"
    build_index([], root)
    _, ix = open_current(root)
    assert ix.doc_count() == 0
    assert ix._segments() == []
    add_fiches(sample_fiches[:2], root)
    assert open_current(root)[1].doc_count() == 2


def test_slices_are_never_smaller_than_half_the_threshold(synthetic_fiches, tmp_path, monkeypatch):
    monkeypatch.setattr(parallel_module, "PARALLEL_THRESHOLD", 200)
    build_index(synthetic_fiches, tmp_path / "index", procs=64)
    _, ix = open_current(tmp_path / "index")
    assert [s.doc_count() for s in ix._segments()] == [100, 100, 100]


def test_a_worker_that_cannot_start_leaves_no_process_behind(parallel_everywhere, monkeypatch,
                                                             synthetic_fiches, tmp_path):
    started = []
    real_init = parallel_module._SegmentWorker.__init__

    def start(self, *args):
        if started:
            raise OSError(errno.EAGAIN, "fork impossible")
        started.append(self)
        real_init(self, *args)

    monkeypatch.setattr(parallel_module._SegmentWorker, "__init__", start)
    with pytest.raises(OSError):
        build_index(synthetic_fiches, tmp_path / "index", procs=3)
    assert started
    assert multiprocessing.active_children() == []


def test_ctrl_c_while_waiting_for_a_worker_stops_it(parallel_everywhere, monkeypatch, synthetic_fiches, tmp_path):
    parent = os.getpid()

    def document(fiche):
        if os.getpid() != parent:
            time.sleep(90)
        return fiche_document(fiche)

    monkeypatch.setattr(parallel_module, "fiche_document", document)
    timer = threading.Timer(1.0, os.kill, (parent, signal.SIGINT))
    started = time.monotonic()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            build_index(synthetic_fiches, tmp_path / "index", procs=2)
    finally:
        timer.cancel()
    assert time.monotonic() - started < 60, "the interrupt waited for the worker's whole slice"
    assert multiprocessing.active_children() == []
    assert not (tmp_path / "index" / GENERATIONS_DIR).exists() or \
        list((tmp_path / "index" / GENERATIONS_DIR).iterdir()) == []


def test_sectioned_text_survives_pickling():
    text = SectionedText(["Jardin", "Potager"], "\n")
    copy = pickle.loads(pickle.dumps(text))
    assert copy == "Jardin\nPotager" and copy.parts == ("Jardin", "Potager")


def test_a_list_in_a_text_field_is_indexed_as_whoosh_does(tmp_path):
    documents = [{"id": "a", "title": "Jardin partagé", "body": ["motbrut", "autre"]}]
    assert written_in_bulk(tmp_path / "bulk", documents) == written_by_whoosh(tmp_path / "whoosh", documents)
