"""Upstream edits: a re-sent source with changed text is a new version of its row; derived rows follow."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

from flows.publish import storage
from tests.conftest import SEEDS

TABLES = ("articles", "entities", "events", "deals")
KEYS = {"articles": "article_id", "entities": "entity_id", "events": "event_id", "deals": "deal_id"}


def snapshot(data) -> dict[str, list[dict]]:
    return {name: storage.read_rows(data, name) for name in TABLES}


def assert_consistent(tables: dict[str, list[dict]]) -> None:
    bodies = {a["article_id"]: a["body"] for a in tables["articles"]}
    for name in TABLES:
        ids = Counter(row[KEYS[name]] for row in tables[name])
        assert not [k for k, n in ids.items() if n > 1], name
    for name in ("events", "deals"):
        for row in tables[name]:
            assert row["evidence"] and set(row["article_ids"]) <= set(bodies), row
            for ev in row["evidence"]:
                assert bodies[ev["article_id"]][ev["start"] : ev["end"]] == ev["text"]
    for row in tables["entities"]:
        for m in row["mentions"]:
            assert bodies[m["article_id"]][m["start"] : m["end"]] == m["text"]


def test_edited_source_becomes_a_new_version_and_its_rows_follow(run_flow, tmp_path):
    inputs, data = tmp_path / "in", tmp_path / "data"
    inputs.mkdir()
    exim = Path(shutil.copy(next(SEEDS.glob("000_*.txt")), inputs))
    shutil.copy(next(SEEDS.glob("002_*.txt")), inputs)
    assert run_flow(inputs, data)["success"]
    before = snapshot(data)
    versions = {name: storage.current_version(data, name) for name in TABLES}
    (exim_id,) = [a["article_id"] for a in before["articles"] if a["source_uri"].startswith("000")]
    old_amounts = sorted(d["amount"] or 0 for d in before["deals"] if exim_id in d["article_ids"])
    assert 2e9 in old_amounts and 3e9 not in old_amounts

    # Re-sent unchanged: skipped, nothing committed.
    again = run_flow(inputs, data)
    assert (again["new_articles"], again["edited_articles"]) == (0, 0)
    assert {name: storage.current_version(data, name) for name in TABLES} == versions

    # Re-sent with changed text: same article_id, new content, old version kept in history.
    text = exim.read_text(encoding="utf-8")
    assert text.count("2 billion") == 2
    exim.write_text(text.replace("2 billion", "3 billion"), encoding="utf-8")
    edited = run_flow(inputs, data)
    assert edited["success"] and (edited["new_articles"], edited["edited_articles"]) == (1, 1)
    after = snapshot(data)
    assert_consistent(after)
    assert len(after["articles"]) == 2
    row = next(a for a in after["articles"] if a["article_id"] == exim_id)
    old = next(a for a in before["articles"] if a["article_id"] == exim_id)
    assert "$3 billion" in row["body"] and row["content_hash"] != old["content_hash"]
    assert storage.current_version(data, "articles") == versions["articles"] + 1
    history = storage.read_rows(data, "articles", version=versions["articles"])
    assert "$2 billion" in next(a for a in history if a["article_id"] == exim_id)["body"]
    # The derived deal follows the edit: the $2bn row is gone, the $3bn one cites the new text.
    new_amounts = sorted(d["amount"] or 0 for d in after["deals"] if exim_id in d["article_ids"])
    assert new_amounts == sorted(3e9 if a == 2e9 else a for a in old_amounts)
    assert not [d for d in after["deals"] if d["amount"] == 2e9]
    # Rows of the untouched article are unchanged.
    other = lambda rows: [r for r in rows if exim_id not in r["article_ids"]]  # noqa: E731
    strip = lambda rows: sorted((repr({k: v for k, v in r.items() if k != "run_id"}) for r in rows))  # noqa: E731
    assert strip(other(after["deals"])) == strip(other(before["deals"]))

    # A source that disappears from the input is kept: the input is a drop, not a full listing.
    exim.unlink()
    gone = run_flow(inputs, data)
    assert gone["success"] and gone["new_articles"] == 0
    assert snapshot(data) == after
