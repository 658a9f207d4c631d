"""User text → a query plan: cleaning, operators, field aliases, exclusions, relaxation.

Whoosh's parser is set up for French users here (all words required, `-mot`,
`OR`/`OU`, `titre:`…); everything that decides *what* is searched lives in this
module, nothing that reads postings or ranks.
"""

from __future__ import annotations

import re

from whoosh import query as wq
from whoosh.qparser import FieldsPlugin, MultifieldParser, OperatorsPlugin, plugins
from whoosh.qparser.syntax import AndGroup, OrGroup

from indexer.analysis import acronym_of, analyze, fold
from indexer.schema import PUBLIC_FACETS, TEXT_FIELD_BOOSTS

LONG_QUERY_TERMS = 12
MAX_SYNTAX_WORDS = 64
FIELD_ALIASES = {
    "title": ["titre"],
    "summary": ["resume", "résumé"],
    "keywords_text": ["motcle", "motscles", "mot-cle", "mots-cles", "mot-clé", "mots-clés"],
    "body": ["texte", "description"],
    "meta": ["structure", "partenaire", "partenaires"],
}
QUERYABLE_FIELDS = frozenset(TEXT_FIELD_BOOSTS) | frozenset(PUBLIC_FACETS) | {"territory", "initiative", "partner"}
# Folded field name or alias → queryable field. Any other `name:` is read as plain words,
# so internal fields (id, content, spell, record…) cannot be searched.
FIELD_NAMES: dict[str, str] = {
    **{fold(name): name for name in QUERYABLE_FIELDS},
    **{fold(alias): name for name, aliases in FIELD_ALIASES.items() for alias in aliases},
}
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_SYNTAX_CHARS = re.compile(r"[\"()\[\]{}:^*?~+\-]")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
# At the start of a word, or right after the "-" of an exclusion (`-titre:jardin`).
_WORD_START = r"(?:(?<![\w-])|(?<=^-)|(?<=[\s(]-))"
_FIELD_PREFIX = re.compile(_WORD_START + r"([^\W\d_][\w-]*):")
_OPERATOR_WORDS = {"AND", "OR", "NOT", "ET", "OU", "SAUF"}
# Apostrophes are French elisions, not quotes; ranges, boosts, wildcards and *:* are not offered;
# "-" is handled by the Not operator below so that "parents-enfants" stays one phrase.
_UNUSED_PLUGINS = (plugins.SingleQuotePlugin, plugins.RangePlugin, plugins.BoostPlugin,
                   plugins.EveryPlugin, plugins.WildcardPlugin, plugins.PlusMinusPlugin)
_OPERATOR_SYNTAX = re.compile(
    r"\b(?:AND|OR|NOT|ET|OU|SAUF)\b|" + _WORD_START + "(?:"
    + "|".join(sorted(QUERYABLE_FIELDS, key=len, reverse=True)) + "):")
_OPERATORS = {
    "And": r"(?<=\s)(AND|ET)(?=\s)",
    "Or": r"(?<=\s)(OR|OU)(?=\s)",
    # NOT/SAUF before a word, or "-" glued to the start of a word (not inside "parents-enfants").
    "Not": r"(?:^|(?<=[\s(]))(?:(?:NOT|SAUF)(?=\s)|-(?=[^\s+\-]))",
}


def clean_query(text: str) -> str:
    """Removes control, zero-width and bidi characters; collapses whitespace."""
    text = text.encode("utf-8", errors="replace").decode("utf-8")
    return " ".join(_CONTROL_CHARS.sub(" ", text).split())


def query_words(text: str) -> list[str]:
    """The plain words of a query, field prefixes, operators and syntax dropped."""
    text = _FIELD_PREFIX.sub(lambda m: " " if fold(m.group(1)) in FIELD_NAMES else m.group(0), text)
    return [w for w in _WORD.findall(_SYNTAX_CHARS.sub(" ", text)) if w not in _OPERATOR_WORDS]


def normalize_fields(text: str) -> str:
    """Field prefixes made canonical (`Titre:` → `title:`); dangling or unknown ones made words.

    `titre:` with nothing after it is dropped; `record:x` or `foo:bar` becomes
    the plain words `record x`, `foo bar`.
    """

    def replace(match: re.Match) -> str:
        name = FIELD_NAMES.get(fold(match.group(1)))
        if name is None:
            return f"{match.group(1)} "
        rest = text[match.end():]
        if not rest or rest[0].isspace() or rest[0] == ")" or _FIELD_PREFIX.match(rest):
            return " "
        return f"{name}:"

    return _strip_dangling_operators(_FIELD_PREFIX.sub(replace, text))


_DANGLING_OPERATORS = re.compile(
    r"^\s*(?:(?:AND|OR|ET|OU)\s+)+|(?:\s+(?:AND|OR|ET|OU|NOT|SAUF))+\s*$|(?:\s+(?:AND|OR|ET|OU|NOT|SAUF))+(?=\s*\))")


def _strip_dangling_operators(text: str) -> str:
    """Drops operators with nothing to bind (`jardin OR`, `AND jardin`), as typed mid-query."""
    return _DANGLING_OPERATORS.sub("", text)


class QueryParser:
    """Whoosh's parser set up for French users: AND by default, -mot, OR/OU, titre:…

    Expects text passed through `normalize_fields`.
    """

    def __init__(self, schema) -> None:
        self.schema = schema
        self.strict = self._make(AndGroup)
        self.loose = self._make(OrGroup.factory(0.9))

    def _make(self, group) -> MultifieldParser:
        parser = MultifieldParser(list(TEXT_FIELD_BOOSTS), self.schema,
                                  fieldboosts=TEXT_FIELD_BOOSTS, group=group)
        for plugin in _UNUSED_PLUGINS:
            parser.remove_plugin_class(plugin)
        parser.replace_plugin(OperatorsPlugin(**_OPERATORS, AndNot=None, AndMaybe=None, Require=None))
        names = "|".join(sorted(QUERYABLE_FIELDS, key=len, reverse=True))
        parser.replace_plugin(FieldsPlugin(expr=rf"{_WORD_START}(?P<text>{names}):"))
        return parser

    def parse(self, text: str, relaxed: bool) -> wq.Query:
        """Parsed query; falls back to plain words when the syntax cannot be used.

        A query of exclusions only (`-jardin`) keeps every other document.
        """
        words = query_words(text)
        if len(words) > MAX_SYNTAX_WORDS:
            return plain_words_query(words, relaxed)
        parser = self.loose if relaxed else self.strict
        try:
            parsed = parser.parse(text)
            if not _uses_only(parsed, QUERYABLE_FIELDS):
                parsed = plain_words_query(query_words(text), relaxed)
        except Exception:  # whoosh's parser raises assorted errors on odd input
            parsed = plain_words_query(query_words(text), relaxed)
        return _boost_phrases(parsed)


def _boost_phrases(q: wq.Query) -> wq.Query:
    """Gives phrases the field weights the parser only gives single words."""
    if isinstance(q, wq.Phrase) and q.boost == 1.0:
        q.boost = TEXT_FIELD_BOOSTS.get(q.fieldname, 1.0)
    elif not q.is_leaf():
        for child in q.children():
            _boost_phrases(child)
    return q


def _uses_only(q: wq.Query, allowed: frozenset[str]) -> bool:
    return all(field_name in allowed for field_name, _ in leaf_terms(q, positive_only=False))


def leaf_terms(q: wq.Query, positive_only: bool = True):
    """(field, text) of the query's leaves; with positive_only, those under NOT are left out."""
    if positive_only and isinstance(q, wq.Not):
        return
    if isinstance(q, wq.Phrase):
        for word in q.words:
            yield q.fieldname, word
        return
    if isinstance(q, wq.Term):
        yield q.fieldname, q.text
        return
    if isinstance(q, wq.AndNot):
        yield from leaf_terms(q.a, positive_only)
        if not positive_only:
            yield from leaf_terms(q.b, positive_only)
        return
    if q.is_leaf():
        fieldname = getattr(q, "fieldname", None)
        text = getattr(q, "text", None)
        if fieldname is not None and isinstance(text, str):
            yield fieldname, text
        return
    for child in q.children():
        yield from leaf_terms(child, positive_only)


def plain_words_query(words: list[str], relaxed: bool) -> wq.Query:
    """Each analysed word searched in every text field; all words required unless relaxed."""
    stems = list(dict.fromkeys(stem for word in words for stem in analyze(word)))
    if not stems:
        return wq.NullQuery
    per_word = [wq.Or([wq.Term(name, stem, boost=boost) for name, boost in TEXT_FIELD_BOOSTS.items()])
                for stem in stems]
    return wq.Or(per_word) if relaxed else wq.And(per_word)


def correctable_words(text: str) -> list[tuple[int, int, str]]:
    """(start, end, word) of the words a spelling suggestion may change.

    Not field names (`titre:`), operators (AND, OU…) nor excluded words (`-mot`).
    """
    protected = [m.span() for m in _FIELD_PREFIX.finditer(text)]
    words = []
    for match in _WORD.finditer(text):
        start, end = match.span()
        if match.group() in _OPERATOR_WORDS or any(a <= start < b for a, b in protected):
            continue
        excluded = text[max(0, start - 2):start] in ("-", " -", "(-")
        if text[end:end + 1] == ":" or excluded:
            continue
        words.append((start, end, match.group()))
    return words


def has_operators(text: str) -> bool:
    """Whether a (normalised) query uses OR/OU/AND/ET/NOT/SAUF or `titre:`.

    `-mot` does not count: pasted text often has bullets glued to words ("-Créer du lien").
    """
    return bool(_OPERATOR_SYNTAX.search(text))


def unshouted(text: str) -> str:
    """A query typed all in capitals (caps lock) with its words lowercased, but operators and listed acronyms.

    Otherwise every short word of "AIDE AUX DEVOIRS" would be read as an acronym.
    """
    words = _WORD.findall(text)
    if len(words) < 2 or any(ch.islower() for ch in text):
        return text
    def lower(match: re.Match) -> str:
        word = match.group()
        return word if word in _OPERATOR_WORDS or acronym_of(word) else word.lower()
    return _WORD.sub(lower, text)


def is_paragraph(text: str) -> bool:
    """Whether a (normalised) query is answered by similarity rather than by its words.

    A long query (a pasted paragraph) is, unless it is a handcrafted one with
    operators or field prefixes. Quotes, colons and parentheses are ordinary
    punctuation in pasted text, so they do not count.
    """
    words = query_words(text)
    if len(analyze(" ".join(words))) <= LONG_QUERY_TERMS:
        return False
    return len(words) > MAX_SYNTAX_WORDS or not has_operators(text)


FILLER_WORDS = frozenset(analyze(
    "chercher cherche cherchons recherche recherchons idée idées exemple exemples faire trouver besoin "
    "veux voudrais voudrions souhaite souhaitons aimerais savoir connaître possible"))
"""Words of questions and requests: never required, since they say how one asks, not what."""


def is_filler(q: wq.Query) -> bool:
    """Whether a query unit is one filler word (in any field)."""
    texts = {text for _, text in leaf_terms(q)}
    return len(texts) == 1 and texts <= FILLER_WORDS and not isinstance(q, wq.Phrase)


def positive_terms(q: wq.Query | None) -> frozenset[str]:
    """The index terms a query looks for (those under NOT left out): what snippets mark."""
    return frozenset(text for _, text in leaf_terms(q)) if q is not None else frozenset()
