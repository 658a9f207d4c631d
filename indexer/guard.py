"""Whether a full build may replace the served index: never by silently shrinking it.

A truncated export, a file turned binary or a corpus folder half copied would
otherwise give a smaller index that is switched to like any other. A build
is refused (unless forced) when it would drop more than a share of the served
fiches, or when a whole file of the corpus gives no fiche at all. With no
index served (first build, damaged index) there is nothing to protect.
"""

from __future__ import annotations

from .parse import FILE_LEVEL_CODES, NO_FILES, ParseResult

_LISTED_FILES = 5


def wholly_rejected_files(result: ParseResult) -> list[str]:
    """Files that gave no fiche while having problems (skipped, unreadable, every block rejected), in order."""
    with_fiches = {fiche.source_file for fiche in result.fiches}
    files: dict[str, None] = {}
    for problem in result.problems:
        if problem.code == NO_FILES or problem.path in with_fiches:
            continue
        if problem.code in FILE_LEVEL_CODES or problem.rejected:
            files[problem.path] = None
    return list(files)


def dropped_share(served: int, kept: int) -> float:
    """Percentage of the served fiches a new index of `kept` fiches would lose."""
    return 100.0 * max(0, served - kept) / served if served else 0.0


def _listed(files: list[str]) -> str:
    shown = ", ".join(f"« {name} »" for name in files[:_LISTED_FILES])
    return shown + (f" et {len(files) - _LISTED_FILES} autre(s)" if len(files) > _LISTED_FILES else "")


def refusal(result: ParseResult, served: int | None, max_drop_percent: float) -> str | None:
    """The French reason not to switch to an index of `result`, None when the build may go ahead."""
    if served is None:
        return None
    reasons = []
    rejected = wholly_rejected_files(result)
    if rejected:
        reasons.append(f"fichier(s) entièrement rejeté(s) : {_listed(rejected)}")
    share = dropped_share(served, len(result.fiches))
    if share > max_drop_percent:
        reasons.append(f"la nouvelle version perdrait {served - len(result.fiches)} des {served} fiches en service "
                       f"({share:.0f} %, maximum {max_drop_percent:g} %)")
    if not reasons:
        return None
    return "construction refusée : " + " ; ".join(reasons)
