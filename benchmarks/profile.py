"""What the synthetic fiches are drawn from: facet distributions of the bundled sample and Zipf-weighted phrases."""

from __future__ import annotations

import random
from bisect import bisect
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

import click

from . import vocabulary as v

SAMPLE_CORPUS = Path(__file__).resolve().parent.parent / "corpus"
YEARS = tuple(str(year) for year in range(2010, 2026))

@dataclass(frozen=True)
class Weighted:
    """Values with cumulative weights, drawn with `random.Random` (fast, C-level bisect)."""

    values: tuple[str, ...]
    cum: tuple[float, ...]

    @staticmethod
    def of(weights: dict[str, float]) -> Weighted:
        items = [(value, weight) for value, weight in weights.items() if weight > 0]
        return Weighted(tuple(value for value, _ in items), tuple(accumulate(w for _, w in items)))

    def pick(self, rng: random.Random) -> str:
        return self.values[bisect(self.cum, rng.random() * self.cum[-1])]

    def distinct(self, rng: random.Random, k: int) -> list[str]:
        """Up to k different values (fewer if the draw keeps repeating)."""
        chosen: list[str] = []
        for _ in range(k * 4):
            value = self.pick(rng)
            if value not in chosen:
                chosen.append(value)
                if len(chosen) == k:
                    break
        return chosen


def zipf(values: tuple[str, ...], s: float = 1.0, scale: float = 1.0) -> dict[str, float]:
    return {value: scale / (rank ** s) for rank, value in enumerate(values, start=1)}


@dataclass(frozen=True)
class Profile:
    """What the generator draws from: facet distributions and Zipf-weighted phrases."""

    status: Weighted
    dimension: Weighted
    keywords: Weighted
    keyword_counts: tuple[int, ...]
    initiative_rates: tuple[tuple[str, float], ...]
    territory: Weighted
    public: Weighted
    public_counts: tuple[int, ...]
    sample_partner: str
    partners: Weighted
    department: Weighted
    year: Weighted
    subjects_sg: Weighted
    subjects_pl: Weighted
    verbs: tuple[tuple[str, str], ...]
    verb_pick: Weighted
    infinitives: Weighted
    topics: Weighted
    complements: Weighted
    connectors: Weighted
    outcomes: Weighted
    title_heads: Weighted
    title_suffixes: Weighted
    structure_prefixes: Weighted
    structure_names: Weighted
    cities: Weighted
    rare_words: Weighted


def _counts(values: list) -> Counter:
    counter: Counter = Counter()
    for value in values:
        counter.update(value if isinstance(value, list) else [value])
    return counter


@lru_cache(maxsize=4)
def load_profile(corpus_dir: Path = SAMPLE_CORPUS) -> Profile:
    """Distributions from the real sample, with longer tails where the sample is too small."""
    from indexer.parse import parse_corpus

    fiches = parse_corpus(corpus_dir).fiches
    if not fiches:
        raise click.ClickException(f"aucune fiche lisible dans {corpus_dir} : impossible d'en tirer les distributions")
    sample_keywords = _counts([f.keywords for f in fiches])
    keyword_weights = {k: float(c) for k, c in sample_keywords.items()}
    tail = zipf(tuple(k for k in v.EXTRA_KEYWORDS if k not in keyword_weights), s=1.0,
                scale=max(sample_keywords.values()) * 0.8)
    sample_publics = _counts([f.public for f in fiches])
    public_weights = {k: float(c) for k, c in sample_publics.items()}
    public_weights.update(zipf(v.EXTRA_PUBLICS, s=1.0, scale=1.0))
    initiative = _counts([f.initiative for f in fiches])
    partners = _counts([f.partners for f in fiches])
    verbs = tuple(v.VERBS)
    return Profile(
        status=Weighted.of(dict(_counts([f.status for f in fiches]))),
        dimension=Weighted.of(dict(_counts([f.dimension for f in fiches if f.dimension]))),
        keywords=Weighted.of({**keyword_weights, **tail}),
        keyword_counts=tuple(max(1, len(f.keywords)) for f in fiches),
        initiative_rates=tuple((value, count / len(fiches)) for value, count in initiative.most_common()),
        territory=Weighted.of(dict(_counts([f.territory for f in fiches]))),
        public=Weighted.of(public_weights),
        public_counts=tuple(max(1, len(f.public)) for f in fiches),
        sample_partner=partners.most_common(1)[0][0] if partners else "Conseil départemental",
        partners=Weighted.of(zipf(v.EXTRA_PARTNERS, s=0.9)),
        department=Weighted.of(zipf(v.DEPARTMENTS, s=0.7)),
        year=Weighted.of({year: 1.0 + 0.08 * i for i, year in enumerate(YEARS)}),
        subjects_sg=Weighted.of(zipf(v.SUBJECTS_SINGULAR, s=0.9)),
        subjects_pl=Weighted.of(zipf(v.SUBJECTS_PLURAL, s=0.9)),
        verbs=verbs,
        verb_pick=Weighted.of(zipf(tuple(str(i) for i in range(len(verbs))), s=0.9)),
        infinitives=Weighted.of(zipf(v.INFINITIVES, s=0.9)),
        topics=Weighted.of(zipf(v.TOPICS, s=1.0)),
        complements=Weighted.of(zipf(v.COMPLEMENTS, s=0.9)),
        connectors=Weighted.of(zipf(v.CONNECTORS, s=0.8)),
        outcomes=Weighted.of(zipf(v.OUTCOMES, s=0.8)),
        title_heads=Weighted.of(zipf(v.TITLE_HEADS, s=0.8)),
        title_suffixes=Weighted.of(zipf(v.TITLE_SUFFIXES, s=0.8)),
        structure_prefixes=Weighted.of(zipf(v.STRUCTURE_PREFIXES, s=1.0)),
        structure_names=Weighted.of(zipf(v.STRUCTURE_NAMES, s=0.6)),
        cities=Weighted.of(zipf(v.CITY_WORDS, s=0.8)),
        rare_words=Weighted.of(zipf(_shuffled(v.RARE_WORDS), s=0.6)),
    )


def _shuffled(values: tuple[str, ...]) -> tuple[str, ...]:
    order = list(values)
    random.Random(0).shuffle(order)
    return tuple(order)
