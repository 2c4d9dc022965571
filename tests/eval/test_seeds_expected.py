"""tests/data/seeds_expected.json: true of the seed texts, and (when ../shared is there) missing
nothing the analyst's seeds_expected.json expects."""

from __future__ import annotations

import json

import pytest

from flows.eval.items import coarse_event_class
from flows.eval.names import names_match
from tests.conftest import ANALYST_SEEDS_EXPECTED, SEEDS, SEEDS_EXPECTED

EXPECTED = json.loads(SEEDS_EXPECTED.read_text(encoding="utf-8"))
TEXTS = {path.name[:3]: path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))}


def test_every_article_deal_and_event_is_quoted_from_its_sources():
    assert sorted(TEXTS) == sorted(a["file"] for a in EXPECTED["articles"])
    for article in EXPECTED["articles"]:
        assert set(article["quotes"]) == {article["file"]}
        assert article["quotes"][article["file"]] in TEXTS[article["file"]]
        if article["headline"]:
            assert TEXTS[article["file"]].splitlines()[0] == article["headline"]
        if article["dateline"]:
            assert article["dateline"].casefold() in article["quotes"][article["file"]].casefold()
    for item in EXPECTED["deals"] + EXPECTED["events"]:
        assert sorted(item["quotes"]) == item["sources"], item["id"]
        for file, quote in item["quotes"].items():
            assert quote in TEXTS[file], (item["id"], file, quote)


def test_every_name_and_alias_is_written_in_a_seed():
    every_text = "\n".join(TEXTS.values())
    for names in EXPECTED["entities"].values():
        for name in names:
            forms = [name, *EXPECTED["aliases"].get(name, [])]
            assert any(form in every_text for form in forms), name
    for name, aliases in EXPECTED["aliases"].items():
        assert any(name in names for names in EXPECTED["entities"].values()) or any(name in d["parties"] for d in EXPECTED["deals"]), name
        for alias in aliases:
            assert alias in every_text, (name, alias)
    for deal in EXPECTED["deals"]:
        for party in deal["parties"]:
            assert any(names_match(party, n) for names in EXPECTED["entities"].values() for n in names) or party in every_text, (deal["id"], party)


def test_what_must_not_appear_is_in_the_text_to_be_left_out():
    banned = EXPECTED["must_not_appear"]
    for file, texts in banned["body_text"].items():
        assert all(text in TEXTS[file] for text in texts), file
    assert all(any(name.casefold() in text.casefold() for text in TEXTS.values()) for name in banned["entity_names"])


# --------------------------------------------------------------------------- the analyst's file


def _analyst() -> dict:
    if not ANALYST_SEEDS_EXPECTED.exists():
        pytest.skip(f"no cross-check: {ANALYST_SEEDS_EXPECTED} is not beside this checkout (tests/data/seeds_expected.json is used either way)")
    return json.loads(ANALYST_SEEDS_EXPECTED.read_text(encoding="utf-8"))


def _same_names(a: list[str], b: list[str]) -> bool:
    return all(any(names_match(x, y) for y in b) for x in a) and all(any(names_match(y, x) for x in a) for y in b)


def _deal_differences(theirs: dict, ours: dict) -> list[str]:
    out = []
    if theirs["amount"] != ours["amount"]:
        out.append(f"amount {theirs['amount']} vs {ours['amount']}")
    if not _same_names(theirs["parties"], ours["parties"]):
        out.append(f"parties {theirs['parties']} vs {ours['parties']}")
    if theirs["deal_type"] not in {ours["deal_type"], *ours.get("deal_type_alternatives", [])}:
        out.append(f"deal_type {theirs['deal_type']} vs {ours['deal_type']}")
    for key in ("status", "sector", "currency", "amount_qualifier", "sources"):
        if key in theirs and theirs[key] != ours.get(key):
            out.append(f"{key} {theirs[key]} vs {ours.get(key)}")
    return out


def _event_differences(theirs: dict, ours: dict) -> list[str]:
    out = []
    if coarse_event_class(theirs["type"]) != coarse_event_class(ours["type"]):
        out.append(f"type {theirs['type']} vs {ours['type']}")
    if not _same_names(theirs["actors"], ours["actors"]):
        out.append(f"actors {theirs['actors']} vs {ours['actors']}")
    for key in ("date", "sources"):
        if key in theirs and theirs[key] != ours.get(key):
            out.append(f"{key} {theirs[key]} vs {ours.get(key)}")
    return out


def test_nothing_the_analyst_expects_is_missing():
    """Each fact of ../shared/golden/seeds_expected.json is in ours (ours may say more: other
    entities the articles name, headlines and dates the text shows there are none of)."""
    theirs = _analyst()
    ours = {a["file"]: a for a in EXPECTED["articles"]}
    for article in theirs["articles"]:
        for key in ("published_date", "dateline", "headline", "summary_bullets", "same_story_as"):
            if key in article:
                assert ours[article["file"]].get(key) == article[key], (article["file"], key)
    by_id = {d["id"]: d for d in EXPECTED["deals"]}
    for deal in theirs["deals"]:
        assert deal["id"] in by_id and not _deal_differences(deal, by_id[deal["id"]]), (deal["id"], _deal_differences(deal, by_id.get(deal["id"], deal)))
    by_id = {e["id"]: e for e in EXPECTED["events"]}
    for event in theirs["events"]:
        assert event["id"] in by_id and not _event_differences(event, by_id[event["id"]]), (event["id"], _event_differences(event, by_id.get(event["id"], event)))
    for etype, names in theirs["entities"].items():
        for name in names:
            assert any(names_match(name, n) for n in EXPECTED["entities"][etype]), (etype, name)
    for name, aliases in theirs["aliases"].items():
        ours_forms = [name, *next((v for k, v in EXPECTED["aliases"].items() if names_match(k, name)), [])]
        for alias in aliases:
            assert any(names_match(alias, form) for form in ours_forms), (name, alias)
