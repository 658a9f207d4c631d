"""Words: the tokenizer's pattern, stop words, elisions, accent folding, stemming, acronyms.

The per-word primitives that the analyzer (`analysis.py`) chains and memoises.
"""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer
from unidecode import unidecode

from .vocabulary import load_acronyms

ELISIONS = frozenset("l d j m n s t c qu jusqu lorsqu puisqu quoiqu".split())
APOSTROPHES = "'’ʼ`´"

# Words with an apostrophe inside, letters/digits otherwise. Hyphens,
# slashes and other punctuation separate tokens.
WORD_PATTERN = r"[^\W_]+(?:['’ʼ`´][^\W_]+)*"

_STOP_WORDS_ACCENTED = """
a à afin ai aie aient aies ait alors as au aucun aucune auquel aura aurai auraient
aurais aurait auras aurez auriez aurions aurons auront aussi autre autres aux
auxquelles auxquels avaient avais avait avant avec avez aviez avions avoir avons
ayant ayez ayons c ça car ce ceci cela celle celles celui cependant certain
certaine certaines certains ces cet cette ceux chacun chacune chaque chez ci
comme comment d dans de des desquelles desquels dès donc dont du duquel durant
elle elles en encore entre es est et étaient étais était étant été êtes étiez
étions être eu eue eues eûmes eurent eus eusse eussent eusses eussiez eussions
eut eût eûtes eux fûmes furent fus fusse fussent fusses fussiez fussions fut fût
fûtes ici il ils j je jusqu l la laquelle le lequel les lesquelles lesquels leur
leurs lors lorsqu lui m ma mais me même mêmes mes moi mon n ne ni nos notre nous
on ont ou où par parce pas pendant peu peut plus pour pourquoi puisqu qu quand
que quel quelle quelles quels qui quoi quoiqu s sa sans se sera serai seraient
serais serait seras serez seriez serions serons seront ses si sien sienne soi
soient sois soit sommes son sont soyez soyons suis sur t ta te tes toi ton tous
tout toute toutes très tu un une unes uns vos votre vous y
"""

STOP_WORDS = frozenset(unidecode(word) for word in _STOP_WORDS_ACCENTED.split())


WORDS = re.compile(WORD_PATTERN)
"""The tokenizer's pattern, compiled: `WORDS.finditer(text)` gives each word with its position."""


def fold(text: str) -> str:
    """Lowercase ASCII folding, the same for index and query (é→e, œ→oe, ç→c)."""
    return unidecode(text).lower()


_stemmer = snowballstemmer.stemmer("french")
_KEPT_PLURALS = ("as", "is", "os", "us", "eux")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Stem of an already folded word."""
    stemmed = _stemmer.stemWord(word)
    if len(stemmed) > 3 and stemmed.endswith(_KEPT_PLURALS):
        stemmed = stemmed[:-1]
    if len(stemmed) > 3 and stemmed.endswith("e"):
        stemmed = stemmed[:-1]
    return stemmed


def strip_elision(text: str) -> str:
    """The word without an elided article or pronoun (l'accueil → accueil, qu’ils → ils); case kept."""
    for mark in APOSTROPHES:
        head, sep, tail = text.partition(mark)
        if sep and head.lower() in ELISIONS and tail:
            return tail
    return text


ACRONYMS = load_acronyms()
CAPS_WORD = re.compile(r"(?<![^\W_])[^\W\d_a-zß-ÿ]{2,6}(?![^\W_])")
"""A word of 2–6 capital letters (cheap pre-check of a section before looking for acronyms)."""


def acronym_of(word: str) -> str | None:
    """The acronym term of a word (elision stripped, case kept): a listed acronym, else None."""
    return ACRONYMS.known(word)


def capitals_term(word: str) -> str | None:
    """The acronym term of an unlisted word in 2–6 capitals (FPH, a shouted "FETE"), else None."""
    if 2 <= len(word) <= 6 and word.isalpha() and word.isupper():
        return unidecode(word).upper()
    return None


