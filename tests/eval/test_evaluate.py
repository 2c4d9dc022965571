"""Tests for flows/eval/ (scoring) on tiny made-up gold and prediction rows."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest

from flows.eval.devset import score_devset
from flows.eval.items import coarse_event_class
from flows.eval.match import assign
from flows.eval.names import names_match
from flows.eval.render import render_report
from flows.eval.score import EvalReport, Score
from flows.eval.seeds import score_seeds
from tests.conftest import SEEDS_EXPECTED

# --------------------------------------------------------------------------- builders


def gold_record(file, deals=(), events=(), entities=None):
    return {
        "file": file,
        "deals": list(deals),
        "events": list(events),
        "entities": entities or {"PERSON": [], "ORG": [], "GPE": []},
    }


def source(file, url=None, duplicate_of=None):
    return {
        "file": file,
        "url": url or f"https://news.example/{file}",
        "outlet": "Example Times",
        "published": "2030-01-15",
        "headline": None,
        "duplicate_of": duplicate_of,
    }


def article(aid, uri, story="s_0000000000000001", **extra):
    row = {"article_id": aid, "source_uri": uri, "story_id": story}
    row.update(extra)
    return row


def gdeal(parties, amount=None, evidence="Made-up deal sentence."):
    return {"parties": parties, "amount": amount, "currency": "USD", "amount_text": None,
            "deal_type": "loan", "status": "signed", "evidence": evidence}


def pdeal(did, article_ids, parties, amount=None, text="made-up evidence"):
    return {"deal_id": did, "parties": parties, "amount": amount, "article_ids": article_ids,
            "evidence": [{"article_id": article_ids[0], "sentence_index": 0, "start": 0,
                          "end": len(text), "text": text}]}


def gevent(etype, actors, date=None):
    return {"type": etype, "actors": actors, "date_text": None, "date": date,
            "evidence": "Made-up event sentence."}


def pevent(vid, article_ids, etype, actors, date=None):
    return {"event_id": vid, "event_type": etype, "actors": actors, "event_date": date,
            "date_text": None, "article_ids": article_ids, "evidence": []}


def pentity(name, etype, article_ids):
    return {"entity_id": f"e_{abs(hash((name, etype))) % 10**16:016d}", "name": name,
            "type": etype, "aliases": [name], "article_ids": article_ids, "mentions": []}


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    "a, b",
    [
        ("Acme Widgets", "acme widgets"),
        ("Mota-Engil", "Mota Engil"),
        ("J.D. Quill", "JD Quill"),
        ("FWO", "Frontier Works Organisation"),
        ("NBZ", "National Bank of Zembla"),  # stopword 'of' skipped
        ("ZTC", "Zembla Trade and Commerce"),
        ("USSM", "United States Strategic Metals"),
        ("US Export-Import Bank", "Export-Import Bank of the United States"),
        ("U.S.", "United States"),
        ("USA", "US"),
        ("Mr Quill", "Quill"),
        ("DPM Arlo Quill", "Arlo Quill"),
        ("President Mara Vell", "Mara Vell"),
        ("Field Marshal Oren Tash", "Oren Tash"),
        ("Secretary of State Mara Vell", "Mara Vell"),
        ("Gen Oren Tash", "Oren Tash"),
        ("Barrick Gold Mining", "Barrick Gold"),
        ("Zembla Minerals Group", "Zembla Minerals"),
        ("Arlo Penn Quill", "Arlo Quill"),
    ],
)
def test_names_match_positive(a, b):
    assert names_match(a, b)
    assert names_match(b, a)


@pytest.mark.parametrize(
    "a, b",
    [
        ("Acme Widgets", "Zenith Widgets"),
        ("Zembla", "Zembla Crypto Council"),
        ("National Finance Corporation", "Zembla National Development Finance Corporation"),
        ("Ostrava Atlantic Railway", "Ostrava Atlantic Holdings"),
        ("Arlo Quill", "Bram Quill"),
        ("Quill", "Arlo Quill"),  # a bare surname is not most of the words
        ("United States Strategic Metals", "United States"),
        ("fwo", "Frontier Works Organisation"),  # an acronym is written in capitals
        ("FWX", "Frontier Works Organisation"),
        ("Mr", "Mrs"),
        ("", "Acme"),
    ],
)
def test_names_match_negative(a, b):
    assert not names_match(a, b)
    assert not names_match(b, a)


def test_coarse_event_class():
    for t in ("phone_call", "meeting", "visit"):
        assert coarse_event_class(t) == "consult"
    for t in ("agreement", "agreement_signed", "mou", "trade deal", "trade_agreement"):
        assert coarse_event_class(t) == "agree"
    for t in ("financing", "financing_approved", "loan", "investment", "approval"):
        assert coarse_event_class(t) == "financing"
    assert coarse_event_class("statement") == "statement"
    assert coarse_event_class("Phone Call") == "consult"
    for t in ("other", "ceasefire", "sanction", "", "unheard_of"):
        assert coarse_event_class(t) == "other"


def test_assign_most_pairs_then_weight():
    # One heavy pair would block two light ones: the two pairs win.
    assert assign([[5.0, 1.0], [1.0, 0.0]]) == [(0, 1), (1, 0)]
    assert assign([[1.0, 2.0]]) == [(0, 1)]
    assert assign([[2.0], [3.0]]) == [(1, 0)]
    assert assign([]) == [] and assign([[], []]) == [] and assign([[0.0, 0.0]]) == []


# --------------------------------------------------------------------------- scores


def test_score_properties():
    s = Score(tp=3, fp=1, fn=2)
    assert s.precision == pytest.approx(0.75)
    assert s.recall == pytest.approx(0.6)
    assert s.f1 == pytest.approx(2 * 0.75 * 0.6 / 1.35)
    assert Score().f1 == 1.0  # nothing to find, nothing predicted
    assert Score(fn=2).f1 == 0.0
    assert Score(fp=2).precision == 0.0


def one_article(deals=(), events=(), entities=None):
    gold = [gold_record("x001.txt", deals, events, entities)]
    sources = [source("x001.txt")]
    articles = [article("a_1", "input/x001.txt")]
    return gold, sources, articles


@pytest.mark.parametrize(
    "predicted, found",
    [(1_000_000_000, True), (1_009_000_000, True), (991_000_000, True),
     (1_011_000_000, False), (985_000_000, False), (None, False)],
)
def test_amount_tolerance(predicted, found):
    gold, sources, articles = one_article(deals=[gdeal(["Acme Widgets", "Zembla"], 1e9)])
    deals = [pdeal("d_1", ["a_1"], ["Acme Widgets"], predicted)]
    r = score_devset(gold, sources, articles, [], [], deals)
    assert (r.deals.tp, r.deals.fp, r.deals.fn) == ((1, 0, 0) if found else (0, 1, 1))


def test_deal_needs_a_gold_party():
    gold, sources, articles = one_article(deals=[gdeal(["Acme Widgets", "Zembla"], 5e6)])
    deals = [pdeal("d_1", ["a_1"], ["Zenith Widgets"], 5e6)]
    r = score_devset(gold, sources, articles, [], [], deals)
    assert (r.deals.tp, r.deals.fp, r.deals.fn) == (0, 1, 1)


def test_deal_without_amount_needs_two_parties():
    gold, sources, articles = one_article(
        deals=[gdeal(["Acme Widgets", "Zembla", "Frontier Works Organisation"])])
    one = [pdeal("d_1", ["a_1"], ["Acme Widgets"])]
    two = [pdeal("d_1", ["a_1"], ["Acme Widgets", "FWO"], 7e6)]  # predicted amount ignored
    assert score_devset(gold, sources, articles, [], [], one).deals.tp == 0
    assert score_devset(gold, sources, articles, [], [], two).deals.tp == 1
    # A gold deal with one party needs only that one.
    gold, sources, articles = one_article(deals=[gdeal(["Acme Widgets"])])
    assert score_devset(gold, sources, articles, [], [], one).deals.tp == 1


def test_one_to_one_matching():
    gold, sources, articles = one_article(deals=[gdeal(["Acme Widgets", "Zembla"], 2e6)])
    deals = [pdeal("d_1", ["a_1"], ["Acme Widgets"], 2e6, "first mention"),
             pdeal("d_2", ["a_1"], ["Zembla"], 2e6, "second mention")]
    r = score_devset(gold, sources, articles, [], [], deals)
    assert (r.deals.tp, r.deals.fp, r.deals.fn) == (1, 1, 0)
    assert len(r.false_positives) == 1 and "mention" in r.false_positives[0]


def test_one_to_one_prefers_a_full_matching():
    # Greedy would give the broad prediction to the first gold item and lose the second.
    gold, sources, articles = one_article(events=[
        gevent("meeting", ["Arlo Quill", "Mara Vell"]),
        gevent("meeting", ["Arlo Quill"]),
    ])
    events = [pevent("v_1", ["a_1"], "meeting", ["Arlo Quill", "Mara Vell"]),
              pevent("v_2", ["a_1"], "visit", ["Arlo Quill", "Mara Vell"])]
    r = score_devset(gold, sources, articles, [], events, [])
    assert (r.events.tp, r.events.fp, r.events.fn) == (2, 0, 0)


def test_merged_row_counts_for_each_article():
    gold = [gold_record("x001.txt", events=[gevent("phone_call", ["Arlo Quill", "Mara Vell"])]),
            gold_record("x002.txt", events=[gevent("phone_call", ["Arlo Quill", "Mara Vell"])])]
    sources = [source("x001.txt"), source("x002.txt", duplicate_of="x001.txt")]
    articles = [article("a_1", "in/x001.txt", "s_1"), article("a_2", "in/x002.txt", "s_1")]
    merged = [pevent("v_1", ["a_1", "a_2"], "meeting", ["DPM Arlo Quill", "Mara Vell"])]
    r = score_devset(gold, sources, articles, [], merged, [])
    assert (r.events.tp, r.events.fp, r.events.fn) == (2, 0, 0)
    # Only one of the articles listed: the other one's gold event is missed.
    single = [pevent("v_1", ["a_1"], "phone_call", ["Arlo Quill", "Mara Vell"])]
    r = score_devset(gold, sources, articles, [], single, [])
    assert (r.events.tp, r.events.fp, r.events.fn) == (1, 0, 1)


def test_event_class_and_actors():
    gold, sources, articles = one_article(events=[gevent("agreement_signed", ["Acme Widgets", "Zembla", "Ostrava"])])
    wrong_class = [pevent("v_1", ["a_1"], "meeting", ["Acme Widgets", "Zembla"])]
    one_actor = [pevent("v_1", ["a_1"], "mou", ["Acme Widgets"])]
    right = [pevent("v_1", ["a_1"], "agreement", ["Zembla", "Acme Widgets"])]
    assert score_devset(gold, sources, articles, [], wrong_class, []).events.tp == 0
    assert score_devset(gold, sources, articles, [], one_actor, []).events.tp == 0
    assert score_devset(gold, sources, articles, [], right, []).events.tp == 1


def test_date_accuracy():
    gold, sources, articles = one_article(events=[
        gevent("statement", ["Mara Vell"], "2030-01-14"),
        gevent("visit", ["Arlo Quill"], "2030-01-10"),
        gevent("meeting", ["Oren Tash"], None),
    ])
    events = [
        pevent("v_1", ["a_1"], "statement", ["Mara Vell"], dt.date(2030, 1, 14)),
        pevent("v_2", ["a_1"], "visit", ["Arlo Quill"], dt.date(2030, 1, 11)),
        pevent("v_3", ["a_1"], "meeting", ["Oren Tash"], dt.date(2030, 1, 1)),
    ]
    r = score_devset(gold, sources, articles, [], events, [])
    assert r.events.tp == 3
    assert r.date_accuracy == (1, 2)
    assert r.dates_invented == 1
    assert any("date wrong" in m for m in r.misses)
    # Unmatched events do not count toward date accuracy.
    r = score_devset(gold, sources, articles, [], events[:1], [])
    assert r.date_accuracy == (1, 1)


def test_entities_per_type_one_to_one():
    gold, sources, articles = one_article(entities={
        "PERSON": ["Arlo Quill"], "ORG": ["Frontier Works Organisation"], "GPE": ["Zembla"]})
    entities = [
        pentity("Arlo Quill", "PERSON", ["a_1"]),
        pentity("Mr Quill", "PERSON", ["a_1"]),  # second row for the same gold name
        pentity("FWO", "ORG", ["a_1"]),
        pentity("Zembla", "ORG", ["a_1"]),  # wrong type
        pentity("Zembla Sea", "LOC", ["a_1"]),  # not a scored type
        pentity("Ostrava", "GPE", ["a_9"]),  # another article
    ]
    r = score_devset(gold, sources, articles, entities, [], [])
    assert (r.entities.tp, r.entities.fp, r.entities.fn) == (2, 2, 1)
    assert any("GPE not found: Zembla" in m for m in r.misses)


def test_source_uri_by_basename_or_url():
    gold = [gold_record("x001.txt", deals=[gdeal(["Acme Widgets"], 3e6)]),
            gold_record("x002.txt", deals=[gdeal(["Zembla"], 4e6)])]
    sources = [source("x001.txt"), source("x002.txt", url="https://news.example/story?id=2")]
    articles = [article("a_1", "/data/in/x001.txt", "s_1"),
                article("a_2", "https://news.example/story?id=2", "s_2")]
    deals = [pdeal("d_1", ["a_1"], ["Acme Widgets"], 3e6), pdeal("d_2", ["a_2"], ["Zembla"], 4e6)]
    r = score_devset(gold, sources, articles, [], [], deals)
    assert r.deals.tp == 2 and r.articles_missing == []


def test_missing_article_and_unscored_rows():
    gold = [gold_record("x001.txt", deals=[gdeal(["Acme Widgets"], 3e6)])]
    articles = [article("a_7", "other/y777.txt")]
    deals = [pdeal("d_1", ["a_7"], ["Acme Widgets"], 3e6)]
    r = score_devset(gold, [source("x001.txt")], articles, [], [], deals)
    assert (r.deals.tp, r.deals.fp, r.deals.fn) == (0, 0, 1)
    assert r.articles_missing == ["x001.txt"]


def test_stories_found_and_false_merge():
    gold = [gold_record(f) for f in ("x001.txt", "x002.txt", "x003.txt")]
    sources = [source("x001.txt"), source("x002.txt", duplicate_of="x001.txt"), source("x003.txt")]
    good = [article("a_1", "x001.txt", "s_1"), article("a_2", "x002.txt", "s_1"),
            article("a_3", "x003.txt", "s_3")]
    r = score_devset(gold, sources, good, [], [], [])
    assert (r.story_pairs_found, r.story_pairs_total, r.false_merges) == (1, 1, 0)
    split = [article("a_1", "x001.txt", "s_1"), article("a_2", "x002.txt", "s_2"),
             article("a_3", "x003.txt", "s_3")]
    r = score_devset(gold, sources, split, [], [], [])
    assert (r.story_pairs_found, r.story_pairs_total, r.false_merges) == (0, 1, 0)
    lumped = [article(f"a_{i}", f"x00{i}.txt", "s_1") for i in (1, 2, 3)]
    r = score_devset(gold, sources, lumped, [], [], [])
    assert (r.story_pairs_found, r.false_merges) == (1, 2)
    assert any("false merge" in fp for fp in r.false_positives)


def test_render_and_to_dict():
    gold, sources, articles = one_article(
        deals=[gdeal(["Acme Widgets"], 3e6, evidence="Acme took a made-up loan.")],
        events=[gevent("statement", ["Mara Vell"], "2030-01-14")],
        entities={"PERSON": ["Mara Vell"], "ORG": [], "GPE": []},
    )
    events = [pevent("v_1", ["a_1"], "statement", ["Mara Vell"], dt.date(2030, 1, 14))]
    deals = [pdeal("d_9", ["a_1"], ["Zenith Widgets"], 1e6, "Zenith made-up text.")]
    r = score_devset(gold, sources, articles, [], events, deals)
    text = render_report(r)
    for needle in ("deals", "events", "entities", "tp 0, fp 1, fn 1", "1/1 correct",
                   "Acme took a made-up loan.", "Zenith made-up text.", "x001.txt",
                   "duplicate pairs merged", "Errors by class", "Confidence calibration"):
        assert needle in text
    data = json.loads(json.dumps(r.to_dict()))
    assert data["deals"] == {"tp": 0, "fp": 1, "fn": 1, "precision": 0.0, "recall": 0.0, "f1": 0.0}
    assert data["date_accuracy"]["correct"] == 1
    assert [(e["item"], e["side"]) for e in data["errors"]] == [("deal", "miss"), ("deal", "fp"), ("entity", "miss")]
    assert isinstance(r, EvalReport)


# --------------------------------------------------------------------------- seeds


def perfect_seed_rows(expected):
    """Rows a perfect run would publish for the expectations."""
    files = [a["file"] for a in expected["articles"]]
    aid = {f: f"a_{int(f):016x}" for f in files}
    stories = {}
    for a in expected["articles"]:
        group = sorted([a["file"], *a.get("same_story_as", [])])
        stories[a["file"]] = f"s_{int(group[0]):016x}"
    articles = [
        {
            "article_id": aid[a["file"]],
            "source_uri": f"seeds/{a['file']}_0123456789abcdef.txt",
            "published_date": dt.date.fromisoformat(a["published_date"]) if a.get("published_date") else None,
            "dateline": a.get("dateline"),
            "headline": a.get("headline"),
            "summary": [f"bullet {i}" for i in range(a.get("summary_bullets", 0))],
            "story_id": stories[a["file"]],
        }
        for a in expected["articles"]
    ]
    entities = [pentity(n, t, list(aid.values())) for t, names in expected["entities"].items() for n in names]
    events = [
        pevent(f"v_{i:016x}", [aid[s] for s in e["sources"]], e["type"], e["actors"],
               dt.date.fromisoformat(e["date"]) if e.get("date") else None)
        for i, e in enumerate(expected["events"])
    ]
    deals = [
        pdeal(f"d_{i:016x}", [aid[s] for s in d["sources"]], d["parties"], d.get("amount"))
        for i, d in enumerate(expected["deals"])
    ]
    return articles, entities, events, deals


TINY_EXPECTED = {
    "articles": [
        {"file": "100", "published_date": "2030-03-04", "dateline": "Ostrava", "headline": "Made-up headline",
         "summary_bullets": 2},
        {"file": "101", "published_date": None, "dateline": "Ostrava", "same_story_as": ["102"]},
        {"file": "102", "published_date": None, "dateline": "Ostrava", "same_story_as": ["101"]},
    ],
    "deals": [
        {"id": "acme-loan", "parties": ["Acme Widgets", "Zembla"], "amount": 5e8, "sources": ["100"]},
        {"id": "fwo-mou", "parties": ["Frontier Works Organisation", "Acme Widgets"], "amount": None,
         "sources": ["101", "102"]},
    ],
    "events": [
        {"id": "call", "type": "phone_call", "actors": ["Arlo Quill", "Mara Vell"], "date": None,
         "sources": ["101", "102"]},
        {"id": "approval", "type": "financing", "actors": ["Acme Widgets", "Zembla"], "date": "2030-03-03",
         "sources": ["100"]},
    ],
    "entities": {"PERSON": ["Arlo Quill", "Mara Vell"], "ORG": ["Acme Widgets", "Frontier Works Organisation"],
                 "GPE": ["Zembla", "Ostrava"]},
}


def assert_perfect(report):
    for name in ("deals", "events", "entities", "articles"):
        score = getattr(report, name)
        assert (score.precision, score.recall, score.f1) == (1.0, 1.0, 1.0), (name, score)
    assert report.date_accuracy[0] == report.date_accuracy[1] > 0
    assert report.story_pairs_found == report.story_pairs_total > 0
    assert report.false_merges == report.duplicate_rows == report.type_errors == 0
    assert report.dates_invented == 0
    assert report.misses == [] and report.false_positives == []


def test_seeds_tiny_perfect():
    report = score_seeds(TINY_EXPECTED, *perfect_seed_rows(TINY_EXPECTED))
    assert_perfect(report)
    assert report.deals.tp == 3  # the merged MoU counts for 101 and 102
    assert report.events.tp == 3
    assert report.articles.tp == 8
    assert "articles" in render_report(report)


def test_seeds_tiny_degraded():
    articles, entities, events, deals = perfect_seed_rows(TINY_EXPECTED)
    a100, a101, a102 = (a["article_id"] for a in articles)
    articles[1]["published_date"] = dt.date(2031, 1, 1)  # run-date default: a fact wrong
    articles[0]["summary"] = []  # bullets lost
    articles[2]["story_id"] = "s_ffffffffffffffff"  # same story split
    deals = [d for d in deals if d["parties"][0] != "Frontier Works Organisation"] + [
        pdeal("d_a", [a101], ["FWO", "Acme Widgets"]), pdeal("d_b", [a102], ["FWO", "Acme Widgets"])]
    events[1]["event_date"] = dt.date(2030, 3, 4)
    entities.append(pentity("Acme Widgets", "PERSON", [a100]))
    entities.append(pentity("Zembla", "PRODUCT", [a100]))
    r = score_seeds(TINY_EXPECTED, articles, entities, events, deals)
    assert (r.deals.tp, r.deals.fp, r.deals.fn) == (3, 0, 0)  # per-article matching still finds both
    assert r.duplicate_rows == 1 and any("duplicate deal rows" in fp for fp in r.false_positives)
    assert (r.articles.tp, r.articles.fp, r.articles.fn) == (6, 1, 1)
    assert any("101 published_date: expected none" in fp for fp in r.false_positives)
    assert r.date_accuracy == (0, 1)
    assert (r.story_pairs_found, r.story_pairs_total) == (0, 1)
    assert r.type_errors == 2
    assert (r.entities.tp, r.entities.fp) == (6, 1)  # PRODUCT is not a scored type


def test_seeds_expected_perfect_and_degraded():
    expected = json.loads(SEEDS_EXPECTED.read_text(encoding="utf-8"))
    articles, entities, events, deals = perfect_seed_rows(expected)
    assert_perfect(score_seeds(expected, articles, entities, events, deals))

    # Degrade: one deal lost, a two-article MoU split in two rows, an invented
    # publication date, a mistyped entity, a wrong event date and a false story merge.
    articles, entities, events, deals = perfect_seed_rows(expected)
    aid = {a["source_uri"][6:9]: a["article_id"] for a in articles}
    gold_deals = expected["deals"]
    lost = next(i for i, d in enumerate(gold_deals) if d["sources"] == ["000"])
    split = next(i for i, d in enumerate(gold_deals) if len(d["sources"]) == 2)
    kept = [d for i, d in enumerate(deals) if i not in (lost, split)]
    kept += [pdeal(f"d_split{s}", [aid[s]], gold_deals[split]["parties"], gold_deals[split].get("amount"))
             for s in gold_deals[split]["sources"]]
    null_dated = next(a for a in articles if a["published_date"] is None)
    null_dated["published_date"] = dt.date(2031, 1, 1)
    dated = next(i for i, e in enumerate(expected["events"]) if e.get("date"))
    events[dated]["event_date"] = dt.date(1999, 1, 1)
    person = expected["entities"]["ORG"][0]
    entities.append(pentity(person, "PERSON", [aid["000"]]))
    by_file = {a["source_uri"][6:9]: a for a in articles}
    by_file["002"]["story_id"] = by_file["000"]["story_id"]

    r = score_seeds(expected, articles, entities, events, copy.deepcopy(kept))
    n_deal_items = sum(len(d["sources"]) for d in gold_deals)
    assert (r.deals.tp, r.deals.fp, r.deals.fn) == (n_deal_items - 1, 0, 1)
    assert r.duplicate_rows == 1
    assert r.articles.fp == 1 and r.articles.recall == 1.0
    assert r.date_accuracy[0] == r.date_accuracy[1] - 1
    assert r.type_errors == 1 and r.entities.fp == 1
    assert r.false_merges == 1
    assert r.deals.f1 < 1.0 and r.entities.precision < 1.0
    text = render_report(r)
    assert "false merge" in text and "duplicate deal rows" in text
