"""The guard against builds that would silently shrink the served index."""

from __future__ import annotations

from indexer.guard import dropped_share, refusal, wholly_rejected_files
from indexer.parse import ParseResult, parse_bytes, parse_corpus


def corpus_result(*parts: ParseResult) -> ParseResult:
    result = ParseResult()
    for part in parts:
        result.extend(part)
    return result


def test_first_build_is_never_refused(sample_corpus):
    result = corpus_result(parse_corpus(sample_corpus), parse_bytes(b"", "vide.txt"))
    assert refusal(result, None, 20) is None


def test_files_rejected_as_a_whole_are_named(sample_corpus):
    sample = (sample_corpus / "actions-centres-sociaux-2015.txt").read_bytes()
    result = corpus_result(parse_bytes(sample, "a.txt"), parse_bytes(b"\x89PNG\x00\x00\x01\x02" * 500, "b.txt"),
                           parse_bytes(sample.decode().encode("cp1252"), "c.txt"),
                           parse_bytes(b"Actions\n", "d.txt"))
    assert wholly_rejected_files(result) == ["b.txt", "c.txt", "d.txt"]
    assert refusal(result, 14, 20) == (
        "construction refusée : fichier(s) entièrement rejeté(s) : « b.txt », « c.txt », « d.txt »")


def test_a_partly_rejected_file_is_not_a_whole_file(sample_corpus):
    sample = (sample_corpus / "actions-centres-sociaux-2015.txt").read_bytes()
    result = parse_bytes(sample.replace(b"recrudescence", b"recru\x00descence", 1), "a.txt")
    assert len(result.fiches) == 13 and result.problems
    assert wholly_rejected_files(result) == []
    assert refusal(result, 14, 20) is None


def test_a_large_drop_is_refused_a_small_one_is_not(sample_corpus):
    sample = (sample_corpus / "actions-centres-sociaux-2015.txt").read_text(encoding="utf-8")
    truncated = parse_bytes(sample[:len(sample) // 2].encode(), "a.txt")
    kept = len(truncated.fiches)
    assert 0 < kept < 11
    assert refusal(truncated, 14, 20) == (
        f"construction refusée : la nouvelle version perdrait {14 - kept} des 14 fiches en service "
        f"({dropped_share(14, kept):.0f} %, maximum 20 %)")
    assert refusal(truncated, 14, 100) is None
    assert refusal(parse_bytes(sample.encode(), "a.txt"), 16, 20) is None
    assert dropped_share(10, 12) == 0.0 and dropped_share(10, 7) == 30.0
