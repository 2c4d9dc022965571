"""flows.resolve.retract: which articles a run redoes, and what they contributed to published rows."""

from __future__ import annotations

from flows.clean.hashes import article_id_for, source_hash_for
from flows.clean.redo import select_articles, skip_unchanged
from flows.resolve.retract import retract_articles


def ev(aid: str, start: int = 0) -> dict:
    return {"article_id": aid, "sentence_index": 0, "start": start, "end": start + 3, "text": "abc"}


PUBLISHED = {
    "articles": [{"article_id": "a1", "content_hash": "h1"}, {"article_id": "a2", "content_hash": "h2"}],
    "entities": [
        {"entity_id": "e1", "name": "Ishaq Dar", "aliases": ["Ishaq Dar", "Dar", "DPM Dar"], "article_ids": ["a1", "a2"],
         "mentions": [{**ev("a1"), "text": "Dar"}, {**ev("a2"), "text": "DPM  Dar"}], "mention_count": 2},
        {"entity_id": "e2", "name": "EXIM", "aliases": ["EXIM"], "article_ids": ["a2"], "mentions": [{**ev("a2"), "text": "EXIM"}], "mention_count": 1},
    ],
    "events": [
        {"event_id": "v1", "article_ids": ["a1", "a2"], "evidence": [ev("a1"), ev("a2")]},
        {"event_id": "v2", "article_ids": ["a2"], "evidence": [ev("a2", 5)]},
    ],
    "deals": [
        {"deal_id": "d1", "article_ids": ["a2"], "evidence": [ev("a2")], "part_of": None},
        {"deal_id": "d2", "article_ids": ["a1"], "evidence": [ev("a1")], "part_of": "d1"},
    ],
}


def test_select_articles_redoes_new_and_changed_sources_only():
    cleaned = [
        {"article_id": "a1", "content_hash": "h1"},  # unchanged: skipped
        {"article_id": "a2", "content_hash": "old"},
        {"article_id": "a2", "content_hash": "h2x"},  # the last record of a source wins
        {"article_id": "a3", "content_hash": "h3"},
    ]
    todo, edited = select_articles(cleaned, PUBLISHED["articles"])
    assert [(a["article_id"], a["content_hash"]) for a in todo] == [("a2", "h2x"), ("a3", "h3")]
    assert edited == {"a2"}


def doc(uri: str, text: str) -> dict:
    return {"source_uri": uri, "text": text, "outlet": None, "published": None, "headline": None}


def test_inputs_whose_source_hash_is_published_are_not_cleaned_again():
    published = {article_id_for(u): source_hash_for(doc(u, "old")) for u in ("a.txt", "b.txt", "c.txt")}
    docs = [doc("a.txt", "old"), doc("b.txt", "new"), doc("c.txt", "new"), doc("c.txt", "old"), doc("d.txt", "old")]
    # a: unchanged; b: edited; c: its last record is the published one, so the source is unchanged; d: new.
    assert [(d["source_uri"], d["text"]) for d in skip_unchanged(docs, published)] == [("b.txt", "new"), ("d.txt", "old")]


def test_retract_removes_evidence_and_rows_left_without_any():
    out = retract_articles(PUBLISHED, {"a2"})
    assert [a["article_id"] for a in out["articles"]] == ["a1"]
    (dar,) = out["entities"]
    assert dar["article_ids"] == ["a1"] and dar["mention_count"] == 1
    assert dar["aliases"] == ["Ishaq Dar", "Dar"]  # "DPM Dar" was only attested in a2
    assert [(e["event_id"], e["article_ids"], len(e["evidence"])) for e in out["events"]] == [("v1", ["a1"], 1)]
    assert [(d["deal_id"], d["part_of"]) for d in out["deals"]] == [("d2", None)]  # its total went away
    assert PUBLISHED["events"][0]["article_ids"] == ["a1", "a2"]  # the input is untouched
    # What lost something and stayed is marked, so planning compares it with the published row.
    assert {name: out.touched_in(name) for name in ("entities", "events", "deals")} == {"entities": {"e1"}, "events": {"v1"}, "deals": {"d2"}}


def test_retract_of_unknown_articles_changes_nothing():
    for ids in ({"zz"}, set()):
        out = retract_articles(PUBLISHED, ids)
        assert out == PUBLISHED and not any(out.touched_in(name) for name in PUBLISHED)
    assert all(retract_articles(PUBLISHED, set())[name] is PUBLISHED[name] for name in PUBLISHED)  # nothing copied


def test_a_place_known_from_datelines_keeps_its_other_articles():
    place = {"entity_id": "e3", "name": "Islamabad", "aliases": ["Islamabad", "ISLAMABAD"], "article_ids": ["a1", "a2"], "mentions": [], "mention_count": 0}
    (kept,) = retract_articles({**PUBLISHED, "entities": [place]}, {"a1"})["entities"]
    assert kept["article_ids"] == ["a2"] and kept["aliases"] == ["Islamabad", "ISLAMABAD"]
    assert retract_articles({**PUBLISHED, "entities": [place]}, {"a1", "a2"})["entities"] == []
