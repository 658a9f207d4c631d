"""The unmemoised Whoosh filter chain that `analysis.NormalizeFilter` stands for (tests compare the two)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from unidecode import unidecode
from whoosh.analysis import Analyzer, Filter, LowercaseFilter, RegexTokenizer, StopFilter, Token

from .words import APOSTROPHES, ELISIONS, STOP_WORDS, WORD_PATTERN, acronym_of, capitals_term, stem, strip_elision


class ElisionFilter(Filter):
    """Strips elided articles and pronouns: l'accueil → accueil, qu’ils → ils."""

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        for token in tokens:
            text = token.text
            for mark in APOSTROPHES:
                head, sep, tail = text.partition(mark)
                if sep and head in ELISIONS and tail:
                    text = tail
                    break
            token.text = text
            yield token


class FoldFilter(Filter):
    """Folds accents and ligatures to ASCII with unidecode."""

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        for token in tokens:
            if not token.text.isascii():
                token.text = unidecode(token.text).lower().replace(" ", "")
            yield token


class FrenchStemFilter(Filter):
    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        for token in tokens:
            if not token.stopped:
                token.text = stem(token.text)
            yield token


class AcronymFilter(Filter):
    """Reference (unmemoised) acronym step: listed acronyms replace the stem, capitals add a term.

    Expects `token.cased`, the word before lowercasing, set by `CaseKeeper`.
    """

    def __init__(self, query: bool = False) -> None:
        self.query = query

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        for token in tokens:
            if token.stopped:
                yield token
                continue
            cased = strip_elision(token.cased)
            listed = acronym_of(cased)
            extra = None if listed else capitals_term(cased)
            if listed:
                token.text = listed
            elif extra and token.mode == "query":
                token.text = extra
                extra = None
            token.extra = False
            yield token
            if extra:
                token.text = extra
                token.extra = True
                yield token
                token.extra = False


class CaseKeeper(Filter):
    """Remembers each token's text as written, for `AcronymFilter` after lowercasing."""

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        for token in tokens:
            token.cased = token.text
            yield token



def reference_analyzer(kind: str = "stem") -> Analyzer:
    """The unmemoised chain `NormalizeFilter` stands for (tests compare the two)."""
    chain = (RegexTokenizer(WORD_PATTERN) | CaseKeeper() | LowercaseFilter() | ElisionFilter() | FoldFilter()
             | StopFilter(stoplist=STOP_WORDS, minsize=1 if kind == "stem" else 2))
    return chain | FrenchStemFilter() | AcronymFilter() if kind == "stem" else chain


