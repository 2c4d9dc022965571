"""The bench's corpus builds (from the seeds, so on any clone): a pure function of the index,
distinct articles, names drawn from the world gazetteer and the rule files."""

from __future__ import annotations

from bench.corpus import Corpus, write_corpus


def test_seed_corpus_is_deterministic_and_distinct(tmp_path):
    corpus = Corpus("seeds")
    assert corpus.countries and corpus.orgs
    first = [corpus.article(i) for i in range(6)]
    assert first == [Corpus("seeds").article(i) for i in range(6)]
    assert len({a["text"] for a in first}) == 6 and all(len(a["text"].split()) > 150 for a in first)
    words = write_corpus(tmp_path, 0, 6, "seeds")
    lines = [line for shard in sorted(tmp_path.glob("*.jsonl")) for line in shard.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 6 and words == sum(len(a["text"].split()) for a in first)
