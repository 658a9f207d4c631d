"""Deterministic synthetic fiches in the corpus text format, for benchmarks at scale.

    python -m benchmarks.generate --n 10000 --out DIR [--seed 1] [--files K]

Fiche number i depends only on (seed, i): the same seed always gives the same
fiches, however they are split into files and whatever the number of worker
processes. Facet values follow the distributions of the bundled sample
(parsed with `indexer.parse.parse_corpus`), widened with ~100 départements,
the years 2010–2025 and a longer tail of keywords and partners. Free text is
built from French phrases about social-centre work drawn with Zipf-like
frequencies (accents, elisions, plurals, bullet lines, figures, a few typos),
300 to 800 words per fiche. The distributions are built in `profile`, the phrases listed in `vocabulary`.
"""

from __future__ import annotations

import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import click

from .profile import YEARS, Profile, load_profile

HEADER = "Les actions des centres sociaux\nNom | Département | Année |\n---|---|---|\n"
MIN_WORDS, MODE_WORDS, MAX_WORDS = 300, 450, 800
# Words outside the free-text sections (labels excluded): title, structure, facets.
FIXED_WORDS_ESTIMATE = 75

# Share of the free-text word budget per section.
SECTION_SHARES: dict[str, float] = {
    "summary": 0.12, "experience": 0.20, "general_description": 0.14, "resources": 0.05,
    "people": 0.03, "result_territory": 0.08, "result_centre": 0.09, "result_inhabitants": 0.09,
    "limits": 0.08, "perspectives": 0.07, "end_reason": 0.02, "initiative_detail": 0.03,
}




def _lower_first(text: str) -> str:
    return text[0].lower() + text[1:] if text[:2] not in ("CS", "CA") else text


def _with_typo(rng: random.Random, sentence: str) -> str:
    """Swaps two letters of one long word, as hurried authors do."""
    words = sentence.split(" ")
    long_words = [i for i, word in enumerate(words) if len(word) > 6 and word.isalpha()]
    if not long_words:
        return sentence
    i = rng.choice(long_words)
    word = words[i]
    j = rng.randrange(1, len(word) - 2)
    words[i] = word[:j] + word[j + 1] + word[j] + word[j + 2:]
    return " ".join(words)


class _Writer:
    """Builds the French text of one fiche with its own seeded random generator."""

    def __init__(self, profile: Profile, rng: random.Random) -> None:
        self.p = profile
        self.rng = rng

    def sentence(self) -> str:
        p, rng = self.p, self.rng
        plural = rng.random() < 0.45
        subject = (p.subjects_pl if plural else p.subjects_sg).pick(rng)
        verb = p.verbs[int(p.verb_pick.pick(rng))][1 if plural else 0]
        parts = [subject, verb, p.topics.pick(rng)]
        if rng.random() < 0.75:
            parts.append(p.complements.pick(rng))
        if rng.random() < 0.25:
            parts.append("et " + p.topics.pick(rng))
        if rng.random() < 0.2:
            parts.append(p.complements.pick(rng))
        if rng.random() < 0.15:
            examples = p.rare_words.distinct(rng, rng.randint(1, 3))
            parts.append(f"(par exemple : {', '.join(examples)})")
        text = " ".join(parts)
        if rng.random() < 0.3:
            text = f"{p.connectors.pick(rng)}, {_lower_first(text)}"
        if rng.random() < 0.02:
            text = _with_typo(rng, text)
        return text + "."

    def bullet(self) -> str:
        p, rng = self.p, self.rng
        text = f"- {p.infinitives.pick(rng)} {p.topics.pick(rng)}"
        if rng.random() < 0.5:
            text += " " + p.complements.pick(rng)
        return text

    def figure(self) -> str:
        rng = self.rng
        n = rng.randint(3, 120)
        return rng.choice((
            f"En {rng.choice(YEARS)}, {n} personnes ont participé à cette action.",
            f"Il y a eu {rng.randint(2, 12)} rencontres par trimestre, avec {n} participants en moyenne.",
            f"{n} familles ont été accueillies, dont {rng.randint(1, n)} pour la première fois.",
            f"Les séances ont lieu le {rng.choice(('lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi'))} "
            f"de {rng.randint(9, 16)}h00 à {rng.randint(17, 19)}h30.",
            f"Le groupe compte {n} inscrits, de {rng.randint(3, 30)} à {rng.randint(31, 90)} ans.",
        ))

    def free_text(self, words: int, outcomes: float = 0.1) -> str:
        """Paragraphs, bullet lists and figures, about `words` words long."""
        rng, lines, count = self.rng, [], 0
        while count < words:
            roll = rng.random()
            if roll < 0.18:
                if rng.random() < 0.4:
                    lines.append(rng.choice(("Objectifs :", "Objectifs", "Les objectifs sont les suivants :",
                                             "Orientations", "Effets attendus :")))
                for _ in range(rng.randint(2, 5)):
                    lines.append(self.bullet())
                    count += lines[-1].count(" ")
                    if count >= words:
                        break
                continue
            sentences = []
            for _ in range(rng.randint(1, 4)):
                r = rng.random()
                sentence = (self.p.outcomes.pick(rng) if r < outcomes else
                            self.figure() if r < outcomes + 0.08 else self.sentence())
                sentences.append(sentence)
                count += sentence.count(" ") + 1
                if count >= words:
                    break
            lines.append(" ".join(sentences))
        return "\n".join(lines)

    def resources(self, words: int) -> str:
        rng = self.rng
        total = rng.randint(150, 25000)
        lines = [rng.choice((f"Budget global : {total} €", f"Bilan financier {rng.choice(YEARS)}",
                             "Le budget de l'action est limité :", f"charges = total de {total}€ :"))]
        for funder in self.p.partners.distinct(rng, rng.randint(1, 4)):
            lines.append(f"{funder} : {rng.randint(50, max(60, total // 2))} €")
        if rng.random() < 0.4:
            lines.append(f"participation du public = {rng.randint(1, 30)}€/personne")
        text = "\n".join(lines)
        remaining = words - text.count(" ") - len(lines)
        return text + ("\n" + self.free_text(remaining) if remaining > 8 else "")

    def people(self, words: int) -> str:
        rng = self.rng
        lines = [f"{rng.randint(1, 12)} {role}" for role in
                 rng.sample(("salariés", "bénévoles", "animateurs", "intervenants extérieurs", "agents",
                             "stagiaires", "administrateurs"), rng.randint(1, 3))]
        if rng.random() < 0.5:
            lines.append(f"L'ensemble de l'équipe, soit {rng.randint(3, 20)} personnes")
        text = "\n".join(lines)
        remaining = words - text.count(" ") - len(lines)
        return text + ("\n" + self.free_text(remaining) if remaining > 8 else "")

    def title(self) -> str:
        p, rng = self.p, self.rng
        title = p.title_heads.pick(rng)
        roll = rng.random()
        if roll < 0.35:
            title += p.title_suffixes.pick(rng)
        elif roll < 0.45:
            title += f" à {p.cities.pick(rng)}"
        elif roll < 0.5:
            title += f" {rng.choice(YEARS)}"
        case = rng.random()
        if case < 0.04:
            return title.upper()
        if case < 0.12:
            return title.lower()
        return title

    def structure(self, department: str) -> str:
        p, rng = self.p, self.rng
        return f"{p.structure_prefixes.pick(rng)} {p.structure_names.pick(rng)} - {department}"


def _option(label: str, value: str) -> list[str]:
    return [f"- {label}"] + ([f"- {value}"] if value else [])


def _values(label: str, values: list[str]) -> list[str]:
    return [f"- {label}", "-"] + [f"- {value}" for value in values]


def fiche_block(index: int, seed: int = 1, profile: Profile | None = None) -> tuple[str, str, str, str]:
    """(title, département, year, block text) of synthetic fiche number `index`."""
    p = profile or load_profile()
    rng = random.Random(seed * 1_000_003 + index)
    w = _Writer(p, rng)
    title = w.title()
    department = p.department.pick(rng)
    year = p.year.pick(rng)
    status = p.status.pick(rng)
    initiative = [value for value, rate in p.initiative_rates if rng.random() < rate] or [p.initiative_rates[0][0]]
    territory = p.territory.pick(rng)
    partners_territory = territory if rng.random() < 0.9 else p.territory.pick(rng)
    partners = ([p.sample_partner] if rng.random() < 0.85 else []) + p.partners.distinct(rng, rng.choice((0, 0, 1, 1, 2, 3)))
    keywords = p.keywords.distinct(rng, rng.choice(p.keyword_counts))
    public = p.public.distinct(rng, rng.choice(p.public_counts))

    sections = dict(SECTION_SHARES)
    if status != "Terminée":
        sections.pop("end_reason")
    if "Autre" not in initiative:
        sections.pop("initiative_detail")
    budget = int(rng.triangular(MIN_WORDS, MAX_WORDS, MODE_WORDS)) - FIXED_WORDS_ESTIMATE
    sparse = rng.random() < 0.05
    total_share = sum(sections.values())
    texts: dict[str, str] = {}
    for name, share in sections.items():
        words = budget if (sparse and name == "summary") else 0 if sparse else int(budget * share / total_share)
        if words <= 0:
            texts[name] = ""
        elif name == "resources":
            texts[name] = w.resources(words)
        elif name == "people":
            texts[name] = w.people(words)
        else:
            texts[name] = w.free_text(words, outcomes=0.6 if name.startswith(("result", "limits")) else 0.08)

    lines = ["Actions", title]
    lines += _option("Structure organisatrice", w.structure(department))
    lines += ["- Fichier(s) associé(s)"] + ([f"- {_file_name(rng, title)}"] if rng.random() < 0.05 else [])
    lines += _option("Statut de l'action", status)
    if "end_reason" in sections:
        lines += ["- Raisons pour lesquelles l'action est terminée"] + _text(texts["end_reason"])
    lines += _option("Dimension", p.dimension.pick(rng))
    lines += _values("Mots clés associés à l'action", keywords)
    lines += ["- Résumé"] + _text(texts["summary"])
    lines += _values("Qui est à l'initiative de l'action ?", initiative)
    if "initiative_detail" in sections:
        lines += ["- Précision ( si autre )"] + _text(texts["initiative_detail"])
    lines += _option("Territoire concerné", territory)
    lines += ["- Description de l'expérience, ses objectifs, ses acteurs et ses différentes phases."]
    lines += _text(texts["experience"])
    lines += ["- Public"] + [f"- {value}" for value in public]
    lines += ["- Avec qui cette action a-t-elle été menée ?", "-", "Partenaires d'action:"]
    lines += [f"- {value}" for value in partners]
    lines += _option("Territoire concerné", partners_territory)
    for label, name in (("Description générale", "general_description"),
                        ("Ressources financières mobilisées pour cette action", "resources"),
                        ("Nombre de personnes mobilisés pour cette action", "people"),
                        ("Résultat sur le territoire", "result_territory"),
                        ("Résultat pour le centre social", "result_centre"),
                        ("Résultat pour les habitants", "result_inhabitants"),
                        ("Suite de l'action : Limites", "limits"),
                        ("Suite de l'action : Perspectives", "perspectives")):
        lines += [f"- {label}"] + _text(texts[name])
    return title, department, year, "\n".join(lines) + "\n"


def _text(text: str) -> list[str]:
    return [text] if text else []


def _file_name(rng: random.Random, title: str) -> str:
    stem = "".join(ch if ch.isalnum() else "_" for ch in title.lower())[:30].strip("_") or "fiche"
    return f"{stem}_{rng.randint(1, 99)}.{rng.choice(('pdf', 'docx', 'jpg'))}"


def file_ranges(n: int, files: int) -> list[range]:
    """Contiguous fiche numbers per file; every file gets at least one fiche."""
    files = max(1, min(files, n))
    bounds = [n * k // files for k in range(files + 1)]
    return [range(bounds[k], bounds[k + 1]) for k in range(files)]


def file_text(numbers: range, seed: int, profile: Profile | None = None) -> str:
    """One corpus file: the `Nom | Département | Année` table, then the fiches."""
    rows, blocks = [], []
    for index in numbers:
        title, department, year, block = fiche_block(index, seed, profile)
        rows.append(f"{title} | {department} | {year} |\n")
        blocks.append(block)
    return HEADER + "".join(rows) + "".join(blocks)


def default_files(n: int) -> int:
    """One file per ~2,000 fiches, as yearly/regional exports would come."""
    return max(1, -(-n // 2000))


def _write_one(job: tuple[Path, range, int]) -> int:
    path, numbers, seed = job
    path.write_text(file_text(numbers, seed), encoding="utf-8")
    return len(numbers)


def write_corpus(n: int, out: Path, seed: int = 1, files: int | None = None, procs: int = 2) -> list[Path]:
    """Writes `files` .txt files holding fiches 0..n-1 into `out` (created if needed)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    ranges = file_ranges(n, files or default_files(n))
    width = len(str(len(ranges)))
    jobs = [(out / f"synthetique-{k:0{width}d}.txt", numbers, seed) for k, numbers in enumerate(ranges, start=1)]
    load_profile()
    if procs > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(max_workers=min(procs, len(jobs))) as pool:
            list(pool.map(_write_one, jobs))
    else:
        for job in jobs:
            _write_one(job)
    return [path for path, _, _ in jobs]


@click.command()
@click.option("--n", "n", type=click.IntRange(min=1), default=10_000, show_default=True, help="Nombre de fiches.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Dossier de sortie.")
@click.option("--seed", type=int, default=1, show_default=True, help="Graine : même graine, mêmes fiches.")
@click.option("--files", type=click.IntRange(min=1), default=None, help="Nombre de fichiers .txt (défaut : un par 2 000 fiches).")
@click.option("--procs", type=click.IntRange(min=1), default=2, show_default=True, help="Processus d'écriture.")
def main(n: int, out: Path, seed: int, files: int | None, procs: int) -> None:
    """Génère N fiches action synthétiques au format texte du corpus."""
    started = time.perf_counter()
    paths = write_corpus(n, out, seed, files, procs)
    size = sum(path.stat().st_size for path in paths)
    click.echo(f"{n} fiches dans {len(paths)} fichier(s) sous {out} ({size / 1e6:.1f} Mo) "
               f"en {time.perf_counter() - started:.1f} s", err=True)


if __name__ == "__main__":
    sys.exit(main())
