"""The incremental story index assigns exactly what re-reading every body on every chunk did."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
import re
from collections import Counter, defaultdict

import numpy as np
from spacy.lang.en.stop_words import STOP_WORDS

from flows.resolve.stories import STORY_MAX_DAYS, STORY_THRESHOLD, StoryIndex

DAY0 = dt.date(2025, 3, 1)


# --- the reference: the algorithm before the index, run over every body on every chunk --------


def ref_terms(text):
    words = re.findall(r"[a-z0-9][a-z0-9\-.]*[a-z0-9]|[a-z]", text.lower())
    return Counter(w for w in words if w not in STOP_WORDS and len(w) > 2)


def ref_vectors(bodies):
    terms = {k: ref_terms(v) for k, v in bodies.items()}
    df = Counter(w for counts in terms.values() for w in counts)
    n = len(terms)
    vectors = {}
    for k, counts in terms.items():
        vec = {w: (1 + math.log(c)) * math.log((n + 1) / (df[w] + 1) + 1) for w, c in counts.items()}
        norm = math.sqrt(sum(x * x for x in vec.values())) or 1.0
        vectors[k] = {w: x / norm for w, x in vec.items()}
    return vectors


def ref_similarity(a, b):
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(w, 0.0) for w, x in a.items())


def ref_story_id(article_id):
    return "s_" + hashlib.sha256(article_id.encode()).hexdigest()[:16]


def ref_assign(new, existing):
    everything = {a["article_id"]: a for a in [*existing, *new]}
    vectors = ref_vectors({k: a["body"] for k, a in everything.items()})
    stories = {a["article_id"]: a["story_id"] for a in existing}
    by_day = defaultdict(list)
    for other_id in stories:
        by_day[everything[other_id].get("published_date")].append(other_id)
    order = {k: i for i, k in enumerate(stories)}
    for article in sorted(new, key=lambda a: a["article_id"]):
        best, best_score = None, STORY_THRESHOLD
        day = article.get("published_date")
        if day is None:
            near = [k for ids in by_day.values() for k in ids]
        else:
            near = list(by_day.get(None, []))
            for offset in range(-STORY_MAX_DAYS, STORY_MAX_DAYS + 1):
                near += by_day.get(day + dt.timedelta(days=offset), [])
        for other_id in sorted(near, key=order.__getitem__):
            score = ref_similarity(vectors[article["article_id"]], vectors[other_id])
            if score >= best_score:
                best, best_score = stories[other_id], score
        stories[article["article_id"]] = best or ref_story_id(article["article_id"])
        order[article["article_id"]] = len(order)
        by_day[day].append(article["article_id"])
    return {a["article_id"]: stories[a["article_id"]] for a in new}


# --- generated articles: stories retold with shared core words, over two months ---------------


def generate(count, seed):
    rng = random.Random(seed)
    common = [f"word{i}" for i in range(400)]
    cores = [[f"st{s}x{i}" for i in range(25)] for s in range(count // 4)]
    articles = []
    for n in range(count):
        core = rng.choice(cores)
        words = rng.sample(core, rng.randint(6, 20)) + rng.choices(common, weights=[1 / (i + 1) for i in range(400)], k=rng.randint(20, 60))
        rng.shuffle(words)
        body = " ".join(words)
        if articles and rng.random() < 0.1:  # a syndicated copy: articles meeting both score a tie
            body = rng.choice(articles)["body"]
        day = None if rng.random() < 0.08 else DAY0 + dt.timedelta(days=rng.randint(0, 60))
        articles.append({"article_id": f"a{rng.randrange(10**6):06d}_{n}", "body": body, "published_date": day})
    return articles


def run_both(chunks, published=()):
    """Stories from the index and the reference, fed the same published rows and chunks."""
    index = StoryIndex()
    index.add_published(published)
    existing = list(published)
    ours, theirs = {}, {}
    for chunk in chunks:
        ours.update(index.assign_stories(chunk))
        got = ref_assign(chunk, existing)
        theirs.update(got)
        existing += [{**a, "story_id": got[a["article_id"]]} for a in chunk]  # as build_tables appends them
    return ours, theirs, index, existing


def test_index_matches_the_reference_over_chunks():
    articles = generate(400, seed=7)
    published = [{**a, "story_id": f"s_pub{i % 37}"} for i, a in enumerate(articles[:80])]
    chunks = [articles[80:180], articles[180:300], articles[300:]]
    ours, theirs, _, _ = run_both(chunks, published)
    assert ours == theirs
    # The generated set exercises every branch: joining a published story, a story started earlier
    # in the same chunk or in an earlier one, starting a story, undated articles meeting everyone,
    # and ties between copies that are not in one story.
    started = {ref_story_id(a["article_id"]): n for n, c in enumerate(chunks) for a in c}
    chunk_of = {a["article_id"]: n for n, c in enumerate(chunks) for a in c}
    kinds = Counter(
        "published" if story.startswith("s_pub") else "own" if story == ref_story_id(aid) else "this chunk" if started[story] == chunk_of[aid] else "earlier chunk"
        for aid, story in theirs.items()
    )
    assert len(kinds) == 4 and min(kinds.values()) >= 10, kinds
    assert sum(a["published_date"] is None for a in articles[80:]) >= 20
    story_of = {**{a["article_id"]: a["story_id"] for a in published}, **theirs}
    copies = defaultdict(set)
    for a in articles:
        copies[a["body"]].add(story_of[a["article_id"]])
    assert sum(len(stories) > 1 for stories in copies.values()) >= 5


def test_ties_go_to_the_article_met_later():
    body = "harbour cranes tariffs mombasa freight ledger quay corridor berth"
    near = "harbour cranes tariffs mombasa freight ledger quay corridor berth dredging"
    published = [
        {"article_id": "p1", "body": body, "published_date": DAY0, "story_id": "s_first"},
        {"article_id": "p2", "body": body, "published_date": DAY0, "story_id": "s_second"},
    ]
    chunk = [
        # n1 is too late for p1/p2 and starts its own story; n2 meets p1, p2 and n1 with one score.
        {"article_id": "n1", "body": body, "published_date": DAY0 + dt.timedelta(days=STORY_MAX_DAYS + 5)},
        {"article_id": "n2", "body": near, "published_date": DAY0 + dt.timedelta(days=STORY_MAX_DAYS)},
        {"article_id": "n0", "body": body + " silt", "published_date": DAY0},  # first in id order: p2 is met after p1
    ]
    ours, theirs, _, _ = run_both([chunk], published)
    assert ours == theirs
    assert ours["n0"] == "s_second" and ours["n1"] not in {"s_first", "s_second"} and ours["n2"] == ours["n1"]


def test_edited_and_unpublished_articles_leave_the_index():
    articles = generate(160, seed=11)
    index = StoryIndex()
    existing = []
    for chunk in (articles[:60], articles[60:110]):
        got = index.assign_stories(chunk)
        assert got == ref_assign(chunk, existing)
        existing += [{**a, "story_id": got[a["article_id"]]} for a in chunk]
    # The second chunk failed validation: it is not published, so later chunks must not meet it.
    index.remove(a["article_id"] for a in articles[60:110])
    existing = existing[:60]
    # An edited article comes back with new text; the retraction took the old one out first.
    edited = [{**articles[5], "body": articles[130]["body"] + " revised"}, {**articles[9], "published_date": None}]
    chunk = edited + articles[110:]
    existing = [a for a in existing if a["article_id"] not in {e["article_id"] for e in edited}]
    assert index.assign_stories(chunk) == ref_assign(chunk, existing)
    assert len(index) == len(existing) + len(chunk)
    assert_reference_weights(index, existing + chunk)  # nothing of the removed texts counts in the IDF


def test_a_rolled_back_chunk_leaves_and_brings_back_what_its_edits_replaced():
    articles = generate(120, seed=5)
    index = StoryIndex()
    existing = []
    got = index.assign_stories(articles[:60])
    existing = [{**a, "story_id": got[a["article_id"]]} for a in articles[:60]]
    # A chunk with two edited articles and new ones fails validation: nothing of it was published.
    failed = [{**articles[3], "body": articles[100]["body"]}, {**articles[7], "published_date": None}, *articles[60:90]]
    index.assign_stories(failed)
    index.rollback(a["article_id"] for a in failed)
    assert len(index) == len(existing)
    assert_reference_weights(index, existing)  # the published texts of the edited two count again
    chunk = articles[90:]
    assert index.assign_stories(chunk) == ref_assign(chunk, existing)


def assert_reference_weights(index, articles):
    """The index's TF-IDF vector of every article equals the reference's over exactly these articles."""
    vectors = ref_vectors({a["article_id"]: a["body"] for a in articles})
    data, terms, indptr = index._weigh(np.array([index._position[a["article_id"]] for a in articles]), index._compute_idf())
    names = {i: w for w, i in index.vocabulary.items()}
    for k, a in enumerate(articles):
        got = {names[t]: x for t, x in zip(terms[indptr[k] : indptr[k + 1]], data[indptr[k] : indptr[k + 1]], strict=True)}
        want = vectors[a["article_id"]]
        assert got.keys() == want.keys() and all(math.isclose(got[w], want[w], rel_tol=1e-12) for w in want)


def test_weights_are_the_reference_tf_idf_over_everything_known():
    articles = generate(120, seed=3)
    articles[4]["body"] += " berth" * 300  # a count past 255 widens the stored counts
    index = StoryIndex()
    index.add_published({**a, "story_id": "s_x"} for a in articles[:50])
    index.assign_stories(articles[50:])
    assert_reference_weights(index, articles)  # the chunk counts in the IDF


def test_a_chunk_spanning_years_compares_only_within_the_window():
    body = "pipeline gas turkmenistan tapi compressor"
    days = [0, 400, 400 + STORY_MAX_DAYS, 400 + 2 * STORY_MAX_DAYS + 1, 800, None]
    chunk = [{"article_id": f"a{i}", "body": body, "published_date": None if d is None else DAY0 + dt.timedelta(days=d)} for i, d in enumerate(days)]
    stories = StoryIndex().assign_stories(chunk)
    assert stories == ref_assign(chunk, [])
    assert stories["a1"] == stories["a2"] != stories["a3"] != stories["a4"] and stories["a5"] == stories["a4"]


def test_small_batches_give_the_same_stories(monkeypatch):
    monkeypatch.setattr("flows.resolve.stories._COLUMNS", 7)  # candidates and rows in many small products
    monkeypatch.setattr("flows.resolve.stories._PAIRS", 30)
    articles = generate(200, seed=5)
    ours, theirs, _, _ = run_both([articles[:90], articles[90:]])
    assert ours == theirs


def test_articles_with_nothing_near_start_their_own_stories():
    index = StoryIndex()
    alone = {"article_id": "a1", "body": "copper smelter zambia output", "published_date": DAY0}
    assert index.assign_stories([alone]) == {"a1": ref_story_id("a1")}
    unrelated = {"article_id": "a2", "body": "orchestra tour vienna tickets", "published_date": None}
    assert index.assign_stories([unrelated]) == {"a2": ref_story_id("a2")}
    assert index.assign_stories([]) == {} and len(index) == 2
