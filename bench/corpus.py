"""A deterministic benchmark corpus: real paragraphs recombined into distinct articles.

The paragraphs come from the shared dev set's real articles (`../shared/devset/articles`, or
$NEWSFLOW_DEVSET/articles) when it is there, else from seeds/ (`source="seeds"` asks for the
seeds on purpose, for comparison with older figures). The texts are read at run time and never
copied into the project. Every article draws paragraphs up to ~460 words from the pool, shifts
every amount and the publication date and, for the seeds (4 short texts), also swaps the named
people and countries for others so that articles differ. The same index always gives the same
article, so runs of different sizes share their prefix and a "+1 %" corpus is the first N
articles plus N/100 new ones.
"""

from __future__ import annotations

import json
import os
import random
import re
from collections.abc import Iterator
from pathlib import Path

import yaml

from flows.core import world

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DEVSET = Path(os.environ.get("NEWSFLOW_DEVSET", ROOT.parent / "shared" / "devset"))
WORDS = 460  # words an article draws, like the real articles the issue measured
GAZETTEER = ROOT / "flows" / "rules" / "gazetteer.yaml"
SHARD = 1000  # articles per JSONL file, like a daily export
OUTLETS = ["Dawn", "The Express Tribune", "Business Recorder", "The News", "Reuters", "Arab News", "Nikkei Asia", "Al Jazeera"]
FIRST = ["Amina", "Bilal", "Carlos", "Dina", "Emeka", "Farah", "Gustavo", "Hana", "Imran", "Julia", "Kofi", "Leila", "Mateo", "Nadia", "Omar", "Priya", "Rahul", "Sofia", "Tariq", "Yusuf", "Zara", "Wei", "Aiko", "Hassan"]
LAST = ["Ahmed", "Baig", "Chen", "Dlamini", "Evans", "Farooq", "Garcia", "Hussain", "Iqbal", "Jensen", "Khan", "Liu", "Mensah", "Nakamura", "Okafor", "Patel", "Qureshi", "Rossi", "Siddiqui", "Tanaka", "Usman", "Volkov", "Wright", "Yilmaz"]
AMOUNT_RE = re.compile(r"(\d+(?:\.\d+)?)(\s*(?:billion|million|bn|m)\b)")
DATE_HEADER_RE = re.compile(r"^\s*date \d{4}-\d{2}-\d{2}\s*")


def paragraphs_of(folder: Path) -> list[str]:
    """Every paragraph of eight words or more of every .txt in folder, headers stripped, in file order."""
    paragraphs = []
    for path in sorted(folder.glob("*.txt")):
        text = DATE_HEADER_RE.sub("", path.read_text(encoding="utf-8"))
        paragraphs += [p.strip() for p in re.split(r"\n+", text) if len(p.split()) >= 8]
    return paragraphs


def seed_paragraphs() -> list[str]:
    return paragraphs_of(SEEDS)


def pick_source(source: str = "auto") -> str:
    """"devset" when asked or (auto) when the dev set is there, else "seeds"."""
    if source == "auto":
        return "devset" if (DEVSET / "articles").is_dir() else "seeds"
    if source == "devset" and not (DEVSET / "articles").is_dir():
        raise SystemExit(f"no dev set at {DEVSET}/articles (set NEWSFLOW_DEVSET)")
    return source


def _names(kind: str) -> list[str]:
    """The rule file's names of one type (its country entries, which only add names to the world
    gazetteer's countries, have none)."""
    entries = yaml.safe_load(GAZETTEER.read_text(encoding="utf-8"))
    return [e["name"] for e in entries if e.get("type") == kind]


class Corpus:
    """Article i of a corpus is a pure function of i."""

    def __init__(self, source: str = "auto") -> None:
        self.source = pick_source(source)
        self.paragraphs = paragraphs_of(DEVSET / "articles") if self.source == "devset" else seed_paragraphs()
        # UN members by the gazetteer's common name: the world gazetteer replaced the rule file's
        # ~20 hand-listed states (corpora built before 2026-12-02 drew from those).
        self.countries = sorted(c.name for c in world.countries() if c.un_member)
        self.orgs = _names("ORG")
        # People named in the seeds (first, last): each article renames them consistently.
        self.seed_people = [("Natalie", "Baker"), ("Ishaq", "Dar"), ("Marco", "Rubio"), ("Donald", "Trump"), ("Asim", "Munir"), ("Dan", "Caine"), ("Asif", "Zardari")]
        self.seed_countries = [c for c in ("Pakistan", "Balochistan", "China", "United States", "Saudi Arabia") if any(c in p for p in self.paragraphs)]

    def article(self, i: int) -> dict[str, str]:
        rng = random.Random(f"newsflow-bench-{i}")
        if self.source == "seeds":
            body_paragraphs = rng.sample(self.paragraphs, min(rng.randint(10, 16), len(self.paragraphs)))
        else:
            body_paragraphs = self._draw(rng)
        scale = rng.choice([0.5, 0.8, 1.1, 1.5, 2.2, 3.0, 4.5])
        text = "\n\n".join(body_paragraphs)
        if self.source == "seeds":  # four short texts: rename their people and places so articles differ
            places = {c: rng.choice(self.countries) for c in self.seed_countries if rng.random() < 0.6}
            for first, last in self.seed_people:
                new_first, new_last = rng.choice(FIRST), rng.choice(LAST)
                text = re.sub(rf"\b{first}\s+{last}\b", f"{new_first} {new_last}", text, flags=re.I)
                text = re.sub(rf"\b{last}\b", new_last, text, flags=re.I)
            for old, new in places.items():
                text = re.sub(rf"\b{re.escape(old)}\b", new, text)
        text = AMOUNT_RE.sub(lambda m: f"{round(float(m.group(1)) * scale, 2):g}{m.group(2)}", text)
        day = 1 + (i * 7919) % 730  # spread over two years, so not every article is one story
        year, doy = (2024, day) if day <= 365 else (2025, day - 365)
        month = min(12, 1 + (doy - 1) // 31)
        date = f"{year}-{month:02d}-{1 + (doy - 1) % 28:02d}"
        lender = rng.choice(self.orgs)
        headline = f"{lender} {rng.choice(['backs', 'weighs', 'signs', 'reviews'])} {rng.choice(self.countries)} {rng.choice(['mining', 'energy', 'port', 'rail', 'trade'])} plan ({i})"
        return {
            "url": f"https://bench.newsflow.invalid/{date}/{i}",
            "outlet": OUTLETS[i % len(OUTLETS)],
            "published": date,
            "headline": headline,
            "text": f"{text}\n\nReporting by newsroom desk {i}.",
        }

    def _draw(self, rng: random.Random) -> list[str]:
        """Paragraphs drawn without repeats until the article has about WORDS words."""
        drawn, words = [], 0
        for index in rng.sample(range(len(self.paragraphs)), len(self.paragraphs)):
            drawn.append(self.paragraphs[index])
            words += len(self.paragraphs[index].split())
            if words >= WORDS:
                break
        return drawn

    def articles(self, start: int, stop: int) -> Iterator[dict[str, str]]:
        return (self.article(i) for i in range(start, stop))


def write_corpus(folder: Path, start: int, stop: int, source: str = "auto") -> int:
    """Write articles [start, stop) as JSONL shards under folder; returns the number of words."""
    folder.mkdir(parents=True, exist_ok=True)
    corpus = Corpus(source)
    words = 0
    for first in range(start, stop, SHARD):
        last = min(stop, first + SHARD)
        with (folder / f"articles-{first:08d}.jsonl").open("w", encoding="utf-8") as out:
            for record in corpus.articles(first, last):
                words += len(record["text"].split())
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return words


if __name__ == "__main__":
    import sys

    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    source = sys.argv[3] if len(sys.argv) > 3 else "auto"
    print(write_corpus(Path(sys.argv[1]), 0, n, source), "words from", pick_source(source))
