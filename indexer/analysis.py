"""The French analyzer, shared by indexing and querying.

Pipeline: tokenize (hyphens and punctuation split words, apostrophes stay) →
lowercase → strip elisions (l', d', qu'…, both ' and ’) → fold accents with
unidecode → drop stop words → Snowball French stem → drop a stem's final "e".

Acronyms are kept apart from words: a listed acronym (`indexer/vocabulary/
acronymes.txt`: CAF, CLAS, ASL…) becomes the term `CAF` in capitals, which no
stem can be (stems are lowercase), so CAF never meets "café". Any other word
of 2–6 capitals (FPH, or a shouted title's "FETE") is indexed both as a word
and as an acronym term; typed in capitals in a query, it looks for the acronym.

Folding comes *before* stemming so that a query typed without accents meets
the accented text: Snowball stems "parentalité" to "parental" but
"parentalite" to "parentalit"; folding first gives both the same stem. Snowball
also reads an unaccented feminine "-ee" as a plain "e" ("partagee" → "partage"
while "partage" → "partag"), so the final "e" of a stem is dropped. Snowball
keeps the plural "s" after a, i, o, u ("vélos", "amis", "menus") and the "x" of
"-eux" ("jeux", "lieux"); both are dropped too, so singular and plural meet.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import repeat

from unidecode import unidecode
from whoosh.analysis import Analyzer, Filter, RegexTokenizer, Token, Tokenizer
from whoosh.analysis.analyzers import CompositeAnalyzer

from .reference_analysis import (AcronymFilter, CaseKeeper, ElisionFilter, FoldFilter, FrenchStemFilter,
                                 reference_analyzer)
from .words import (CAPS_WORD, ACRONYMS, APOSTROPHES, ELISIONS, STOP_WORDS, WORD_PATTERN, WORDS,
                    acronym_of, capitals_term, fold, stem, strip_elision)

__all__ = [
    "ACRONYMS", "APOSTROPHES", "ELISIONS", "STOP_WORDS", "WORD_PATTERN", "WORDS", "AcronymFilter",
    "CaseKeeper", "ElisionFilter", "FoldFilter", "FrenchStemFilter", "acronym_of", "capitals_term", "fold",
    "reference_analyzer", "stem", "strip_elision",
]

class FacetTokenizer(Tokenizer):
    """Yields each value of a multi-valued facet exactly as given (a list or one string)."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True,
                 mode="", **kwargs):
        values = [value] if isinstance(value, str) else list(value)
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for pos, text in enumerate(v for v in values if v):
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = text
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar, token.endchar = 0, len(text)
            yield token

    def terms(self, value) -> list[str]:
        """The terms Whoosh indexes for a facet value (a list goes in as it is, a string if not empty)."""
        if isinstance(value, str):
            return [value] if value else []
        return list(value)


# word as tokenized → its index term (None for a stop word), per analyzer kind.
# Module-level so that it is not pickled into the index with the schema.
_TERM_CACHES: dict[str, dict[str, str | None]] = {"stem": {}, "spell": {}}
_EXTRA_TERMS: dict[str, str] = {}
"""Word as tokenized → the capitals term it adds beside its stem (unlisted 2–6 capitals)."""
_TERM_CACHE_LIMIT = 200_000


class NormalizeFilter(Filter):
    """Lowercase, elision, folding, stop words and (for "stem") stemming, memoised per word.

    Gives exactly what `LowercaseFilter | ElisionFilter | FoldFilter |
    StopFilter(renumber=True) | FrenchStemFilter` gives, with one dictionary
    lookup per token instead of five filters: analysis dominates indexing time.
    """

    def __init__(self, kind: str = "stem") -> None:
        self.kind = kind
        self.minsize = 1 if kind == "stem" else 2

    def term(self, word: str) -> str | None:
        cache = _TERM_CACHES[self.kind]
        found = cache.get(word, False)
        if found is not False:
            return found
        cased = strip_elision(word)
        text = cased.lower()
        if not text.isascii():
            text = unidecode(text).lower().replace(" ", "")
        if len(text) < self.minsize or text in STOP_WORDS:
            result = None
        elif self.kind != "stem":
            result = text
        else:
            listed = acronym_of(cased)
            result = listed or stem(text)
            extra = None if listed else capitals_term(cased)
            if extra:
                _EXTRA_TERMS[word] = extra
        if len(cache) >= _TERM_CACHE_LIMIT:
            cache.clear()
            _EXTRA_TERMS.clear()
        cache[word] = result
        return result

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        pos = None
        for token in tokens:
            word = token.text
            text = self.term(word)
            if text is not None:
                if token.positions:
                    if pos is None:
                        pos = token.pos
                    else:
                        pos += 1
                        token.pos = pos
                extra = _EXTRA_TERMS.get(word) if self.kind == "stem" else None
                if extra and token.mode == "query":
                    text, extra = extra, None
                token.text = text
                token.stopped = False
                token.extra = False
                yield token
                if extra:
                    token.text = extra
                    token.extra = True
                    yield token
                    token.extra = False
            elif not token.removestops:
                token.stopped = True
                yield token


class FrenchAnalyzer(CompositeAnalyzer):
    """The Whoosh chain `RegexTokenizer | NormalizeFilter(kind) [| BigramFilter]`, plus `terms()`.

    Whoosh calls the chain, one `Token` object per word; the bulk index writer
    calls `terms()`, which gives the same terms as plain strings several times
    faster (tests compare the two).
    """

    def __init__(self, kind: str = "stem", pairs: bool = False) -> None:
        if pairs and kind != "stem":
            raise ValueError("pairs are made of stems only")
        filters = [NormalizeFilter(kind)] + ([BigramFilter()] if pairs else [])
        super().__init__(RegexTokenizer(WORD_PATTERN), *filters)
        self.kind = kind
        self.pairs = pairs

    def terms(self, text: str) -> list[str]:
        """The index terms of `text`, in order, as the chain would yield them."""
        if isinstance(text, SectionedText):
            terms: list[str] = []
            for part in text.parts:
                terms += self._section_terms(part)
            return terms
        return list(self._section_terms(text))

    def _section_terms(self, text: str) -> list[str]:
        recent = _RECENT_TERMS[self.kind, self.pairs]
        terms = recent.get(text)
        if terms is not None:
            return terms
        words = _section_words(text)
        found = word_terms(words, self.kind)
        if self.pairs:
            stems = [term for term in found if term is not None]
            terms = [first + BIGRAM_SEPARATOR + second for first, second in zip(stems, stems[1:])
                     if first != FIELD_BREAK and second != FIELD_BREAK]
        elif self.kind == "stem" and _EXTRA_TERMS and CAPS_WORD.search(text):
            terms = _with_extra_terms(words, found)
        else:
            terms = [term for term in found if term is not None]
        _remember(recent, text, terms)
        return terms


def _with_extra_terms(words: list[str], found: list[str | None]) -> list[str]:
    """Each word's term followed by its capitals term, if any (the order the token chain yields)."""
    terms = []
    for word, term in zip(words, found):
        if term is not None:
            terms.append(term)
            extra = _EXTRA_TERMS.get(word)
            if extra:
                terms.append(extra)
    return terms


def extra_term(word: str) -> str | None:
    """The capitals term a word adds beside its stem (after `word_terms` saw it), else None."""
    return _EXTRA_TERMS.get(word)


def word_terms(words: list[str], kind: str = "stem") -> list[str | None]:
    """Each word's index term (None for a stop word), aligned with `words`; memoised like NormalizeFilter."""
    found = list(map(_TERM_CACHES[kind].get, words, repeat(False)))
    if False in found:
        normalize = _NORMALIZERS[kind].term
        found = [normalize(word) if term is False else term for word, term in zip(words, found)]
    return found


class SectionedText(str):
    """Sections joined by a separator, as one string that remembers its sections.

    Whoosh sees the joined text. `FrenchAnalyzer.terms` analyses it section by
    section, reusing what it just computed for the same section strings indexed
    as fields of their own (a fiche's spelling and phrase fields repeat all its
    text), which gives the same terms as analysing the joined text.
    """

    parts: tuple[str, ...]
    separator: str

    def __new__(cls, parts: Iterable[str], separator: str) -> SectionedText:
        parts = tuple(parts)
        text = super().__new__(cls, separator.join(parts))
        text.parts = parts
        text.separator = separator
        return text

    def __reduce__(self):
        return SectionedText, (self.parts, self.separator)


# The last few texts analysed → their words and terms. A document's sections
# are analysed for several fields in a row; longer memory would only cost RAM.
_RECENT_LIMIT = 16
_RECENT_WORDS: dict[str, list[str]] = {}
_RECENT_TERMS: dict[tuple[str, bool], dict[str, list[str]]] = {
    ("stem", False): {}, ("stem", True): {}, ("spell", False): {},
}


def _remember(recent: dict[str, list[str]], text: str, value: list[str]) -> None:
    if len(recent) >= _RECENT_LIMIT:
        recent.clear()
    recent[text] = value


def _section_words(text: str) -> list[str]:
    words = _RECENT_WORDS.get(text)
    if words is None:
        words = WORDS.findall(text)
        _remember(_RECENT_WORDS, text, words)
    return words


_NORMALIZERS = {kind: NormalizeFilter(kind) for kind in _TERM_CACHES}


def french_analyzer() -> FrenchAnalyzer:
    """Analyzer for ranked text fields: folding and stemming."""
    return FrenchAnalyzer("stem")


def spelling_analyzer() -> FrenchAnalyzer:
    """Analyzer for the "did you mean" vocabulary: folded whole words, no stemming."""
    return FrenchAnalyzer("spell")


FIELD_BREAK = "qqfinqq"
"""Word put between a fiche's sections so that no bigram spans two of them."""
BIGRAM_SEPARATOR = "_"


class BigramFilter(Filter):
    """Pairs of consecutive index terms (`jardin_partag`), for fast phrase matching.

    Stop words are already gone, as in phrase queries, so "porteur de paroles"
    and the text "porteur de paroles" both give `porteur_parol`.
    """

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        previous = None
        for token in tokens:
            if token.stopped or getattr(token, "extra", False):
                continue
            text = token.text
            if text == FIELD_BREAK:
                previous = None
                continue
            if previous is not None:
                token.text = previous + BIGRAM_SEPARATOR + text
                yield token
            previous = text


def bigram_analyzer() -> FrenchAnalyzer:
    """Analyzer of the phrase field: stemmed terms paired with their successor."""
    return FrenchAnalyzer("stem", pairs=True)


def bigrams(stems: list[str]) -> list[str]:
    """The bigram terms of a phrase given as its stems."""
    return [a + BIGRAM_SEPARATOR + b for a, b in zip(stems, stems[1:])]


def facet_analyzer() -> Analyzer:
    return FacetTokenizer()


_FRENCH = french_analyzer()
_SPELLING = spelling_analyzer()


def analyze(text: str) -> list[str]:
    """Index terms of a text, in order (what a query or a document becomes)."""
    return _FRENCH.terms(text)


def spelling_words(text: str) -> list[str]:
    """Folded, unstemmed words of a text, as the spelling vocabulary holds them."""
    return _SPELLING.terms(text)
