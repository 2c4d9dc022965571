"""Streaming and scale-out behaviour: chunked ingest, chunked runs, object-store URIs, blocking."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

from flows.clean import cleaner as clean
from flows.extract import workers
from flows.ingest import readers as ingest
from flows.publish import plan as publish
from flows.publish import storage
from flows.resolve import events as resolve
from tests.conftest import SEEDS

KEYS = {"articles": "article_id", "entities": "entity_id", "events": "event_id", "deals": "deal_id"}


def _contents(data: Path | str, name: str) -> list[dict]:
    rows = storage.read_rows(data, name)
    return sorted(({k: v for k, v in r.items() if k not in publish.VOLATILE} for r in rows), key=lambda r: r[KEYS[name]])


def test_iter_chunks_yields_what_ingest_path_reads_in_order(tmp_path):
    (tmp_path / "a.jsonl").write_text("\n".join(json.dumps({"text": f"article {i}"}) for i in range(5)) + "\nnot json\n")
    (tmp_path / "b.txt").write_text("one more article")
    (tmp_path / "c.txt").write_bytes(b"")
    docs, quarantined = ingest.ingest_path(tmp_path)
    chunks = list(ingest.iter_chunks(tmp_path, chunk_size=2))
    assert [len(c[0]) for c in chunks] == [2, 2, 2, 0]  # the empty c.txt comes last, alone
    assert [d for c in chunks for d in c[0]] == docs
    assert sorted(q["source_uri"] for c in chunks for q in c[1]) == sorted(q["source_uri"] for q in quarantined)


def test_split_keeps_order_and_drops_empty_parts():
    assert workers.split([1, 2, 3, 4, 5], 2) == [[1, 2, 3], [4, 5]]
    assert workers.split([1], 4) == [[1]]
    assert workers.split([], 2) == []


def test_object_store_uri_holds_tables_reports_and_quarantine(tmp_path):
    uri = f"file://{tmp_path}/store"
    table = pa.table({"id": ["a", "b"], "n": [1, 2]})
    assert storage.upsert(uri, "t", table, key="id", metadata={"run_id": "r1"}) == 0
    storage.upsert(uri, "t", pa.table({"id": ["b"], "n": [3]}), key="id", metadata={"run_id": "r2"})
    assert sorted((r["id"], r["n"]) for r in storage.read_rows(uri, "t")) == [("a", 1), ("b", 3)]
    assert storage.count_rows(uri, "t") == 2 and storage.read_columns(uri, "t", ["id"]) in ([{"id": "a"}, {"id": "b"}], [{"id": "b"}, {"id": "a"}])
    storage.write_report(uri, "r2", {"ok": True})
    storage.write_quarantine(uri, "r2", [{"source_uri": "x", "reason": "empty"}])
    assert json.loads((tmp_path / "store" / "reports" / "r2.json").read_text()) == {"ok": True}
    assert (tmp_path / "store" / "quarantine" / "r2.jsonl").exists()
    assert (tmp_path / "store" / "tables" / "t" / "_delta_log").is_dir()
    storage.write_run_page(uri, "r2", "<html>report</html>")
    assert (tmp_path / "store" / "report" / "index.html").read_text() == (tmp_path / "store" / "report" / "r2.html").read_text()
    assert storage.data_docs_dirs(uri) is None  # GE writes local sites only: no Data Docs on a store


def test_settings_keep_uris_as_strings():
    from flows.core.settings import load_settings

    assert load_settings({"data_dir": "s3://bucket/newsflow"}).data_dir == "s3://bucket/newsflow"
    assert isinstance(load_settings({"data_dir": "data"}).data_dir, Path)


def _event(actors, article="a1", start=0, kind="meeting"):
    return {
        "event_type": kind, "actors": actors, "location": None, "event_date": None, "date_text": None,
        "date_granularity": None, "date_method": "none", "extractor": "t", "confidence": 0.5, "future": False,
        "evidence": {"article_id": article, "sentence_index": 0, "start": start, "end": start + 1, "text": "x"},
    }


def test_blocked_event_resolution_matches_a_full_scan():
    """Blocking must find the first matching row a scan of every row would find."""
    cands = [
        _event(["A", "B"], "a1", 0), _event(["C"], "a1", 5), _event(["B", "A"], "a2", 0),
        _event(["C", "D"], "a2", 9), _event(["D"], "a3", 0, "visit"), _event(["A"], "a3", 4), _event(["C"], "a4", 1),
    ]
    extractions = [{"article_id": a, "events": [c for c in cands if c["evidence"]["article_id"] == a]} for a in ("a1", "a2", "a3", "a4")]
    surfaces = {a: {} for a in ("a1", "a2", "a3", "a4")}
    stories = {"a1": "s1", "a2": "s1", "a3": "s2", "a4": "s1"}
    rows = resolve.resolve_events(extractions, surfaces, stories, [], "r")
    # Reference: the same merge rule applied by scanning every row in order.
    reference: list[dict] = []
    for ex in extractions:
        for cand in ex["events"]:
            row = {"event_type": cand["event_type"], "actors": list(cand["actors"]), "article_ids": [ex["article_id"]], "event_date": None, "date_text": None, "date_granularity": None}
            match = next((r for r in reference if resolve._same_event(r, row, stories)), None)
            if match is None:
                reference.append(row)
            else:
                match["actors"] += [a for a in row["actors"] if a not in match["actors"]]
                match["article_ids"] += [a for a in row["article_ids"] if a not in match["article_ids"]]
    assert [(r["event_type"], r["actors"], r["article_ids"]) for r in rows] == [(r["event_type"], r["actors"], r["article_ids"]) for r in reference]
    assert len(rows) < len(cands)  # something was merged, so the comparison meant something


def test_chunked_incremental_run_updates_rows_in_place(run_flow, tmp_path, monkeypatch):
    """Chunks of one article, then one more article: rows that gain a source are merged, not duplicated,
    and the published inputs are not even cleaned again."""
    first_three = tmp_path / "in"
    first_three.mkdir()
    seeds = sorted(SEEDS.glob("*.txt"))
    for path in seeds[:3]:
        shutil.copy(path, first_three)
    data = tmp_path / "data"
    first = run_flow(first_three, data, chunk_size=1)
    assert first["success"] and first["new_articles"] == 3
    before = {r["entity_id"]: r for r in storage.read_rows(data, "entities")}
    shutil.copy(seeds[3], first_three)
    cleaned = []
    monkeypatch.setattr(clean, "clean_document", lambda d, real=clean.clean_document: cleaned.append(d["source_uri"]) or real(d))
    second = run_flow(first_three, data, chunk_size=1)
    assert second["success"] and second["new_articles"] == 1 and second["already_published"] == 3
    assert cleaned == [seeds[3].name]
    for name in ("articles", "entities", "events", "deals"):
        keys = [r[KEYS[name]] for r in storage.read_rows(data, name)]
        assert len(keys) == len(set(keys)), f"{name} has duplicate keys"
    after = {r["entity_id"]: r for r in storage.read_rows(data, "entities")}
    grown = [k for k in before if k in after and len(after[k]["article_ids"]) > len(before[k]["article_ids"])]
    assert grown, "no published entity gained the new article as a source"
    assert second["tables"]["entities"]["upserts"] < len(after)  # only changed rows were written


def test_one_big_jsonl_file_streams_in_chunks_too(tmp_path):
    big = tmp_path / "big.jsonl"
    big.write_text("\n".join(json.dumps({"text": f"article {i}"}) for i in range(5)) + "\n")
    chunks = list(ingest.iter_chunks(big, chunk_size=2))
    assert [len(c[0]) for c in chunks] == [2, 2, 1]
    assert [d for c in chunks for d in c[0]] == ingest.ingest_path(big)[0]


def test_arrow_and_delta_lake_are_told_to_hand_freed_memory_back():
    """Set before either library loads (a fresh process importing the CLI); a value the user set wins."""
    code = "import flows.cli, os, pyarrow as pa; print(pa.default_memory_pool().backend_name, os.environ['_RJEM_MALLOC_CONF'])"
    clean_env = {k: v for k, v in os.environ.items() if k not in ("ARROW_DEFAULT_MEMORY_POOL", "_RJEM_MALLOC_CONF")}
    ours = subprocess.run([sys.executable, "-c", code], env=clean_env, capture_output=True, text=True, check=True)
    assert ours.stdout.split() == ["system", "dirty_decay_ms:0,muzzy_decay_ms:0"]
    users = subprocess.run([sys.executable, "-c", code], env={**clean_env, "ARROW_DEFAULT_MEMORY_POOL": "mimalloc", "_RJEM_MALLOC_CONF": "narenas:1"}, capture_output=True, text=True, check=True)
    assert users.stdout.split() == ["mimalloc", "narenas:1"]


def _stored_commit(data, state, proposal, index, ids):
    """What the flow does with a chunk that passes the gate: the state first, then the tables."""
    from flows.validate import contracts

    known, metadata = contracts.load_contracts(), {"run_id": "t"}
    for name in ("entities", "events", "deals"):
        changes = publish.plan_changes(proposal.fetched[name], proposal[name], KEYS[name], proposal.touched_in(name))
        state.write_keys(name, proposal, changes.upserts)
        storage.commit(data, name, contracts.to_arrow(changes.upserts, known[name]), key=KEYS[name], delete_keys=changes.deletes, metadata=metadata)
    new = [a for a in proposal["articles"] if a["article_id"] in ids]
    state.write_stories(index, new)
    storage.commit(data, "articles", contracts.to_arrow(new, known["articles"]), key="article_id", delete_keys=[], metadata=metadata)
    state.mark_published(new)
    state.keep_stats(index)


def _published_hashes(data):
    return {r["article_id"]: r["content_hash"] for r in storage.read_columns(data, "articles", ["article_id", "content_hash"])}


@pytest.mark.parametrize("seed", [1, 2, 3, 7])
def test_state_on_disk_resolves_as_a_full_scan_in_memory(tmp_path, seed):
    """Random chunks over two months (some undated, some sent again with new text), resolved against
    the state on disk (rows fetched by key, stories from the window's vectors; a new run opens it
    again, and once it is rebuilt from the tables) give the tables and story ids that one
    in-memory index and every published row give, in publication order."""
    import datetime as dt
    import hashlib
    import random

    from flows.orchestration.state import StoredState
    from flows.resolve.resolver import build_tables
    from flows.resolve.stories import StoryIndex
    from tests.resolve.test_incremental import TABLES, _publish, _sparse_article

    rng, data = random.Random(seed), tmp_path / "data"
    reference, index, known = {"articles": [], "entities": [], "events": [], "deals": []}, StoryIndex(), []
    state = StoredState.open(data, {})
    for chunk in range(14):
        if chunk in (5, 10):  # a new run; the second time, from a data dir without its state
            if chunk == 10:  # rebuilt in the order the tables are read, the order a run read them in before
                shutil.rmtree(data / "state")
                for name in TABLES:
                    order = {r[KEYS[name]]: at for at, r in enumerate(storage.read_columns(data, name, [KEYS[name]]))}
                    reference[name] = sorted(reference[name], key=lambda r, order=order, name=name: order[r[KEYS[name]]])
            state = StoredState.open(data, _published_hashes(data))
            counted = StoredState(data, _published_hashes(data))  # the statistics the last chunk saved = counted from every vector
            counted.vocabulary = dict(state.vocabulary)
            counted.count_stats()
            assert (counted.documents, counted.terms_seq, counted.df.tolist()) == (state.documents, state.terms_seq, state.df.tolist()), chunk
        ids = list(dict.fromkeys(rng.choice(known) if known and rng.random() < 0.2 else f"a{len(known) + k}" for k in range(3)))
        pairs = [_sparse_article(rng, a) for a in ids]
        for article, extraction in pairs:
            # An article sent again finds its evidence elsewhere: a candidate at a place its old text had
            # would take the id of the row it made then, which may stay (other articles keep it): one key twice.
            for cand in (*extraction["events"], *extraction["deals"]) if article["article_id"] in known else ():
                cand["evidence"]["start"] += 1000 * chunk
            article["published_date"] = None if rng.random() < 0.1 else dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(60))
            article["content_hash"] = hashlib.sha1(article["body"].encode()).hexdigest()
            article.update(source_uri=f"{article['article_id']}.txt", published_date_source="header", summary=[], language="en", word_count=12, quality_flags=[])
        known += [a for a in ids if a not in known]
        articles, extractions = [a for a, _ in pairs], [ex for _, ex in pairs]
        want = build_tables(articles, copy.deepcopy(extractions), reference, f"r{chunk}", index)
        window = state.story_window(articles)
        got = build_tables(articles, copy.deepcopy(extractions), state, f"r{chunk}", window)
        assert [a["story_id"] for a in got["articles"]] == [a["story_id"] for a in want["articles"] if a["article_id"] in set(ids)], chunk
        _stored_commit(data, state, got, window, set(ids))
        reference = _publish(reference, want, set(ids))
        for name in TABLES:
            assert _rows(storage.read_rows(data, name), name) == _rows(reference[name], name), (chunk, name)
    assert len(storage.read_rows(data, "articles")) == len(known)


def _rows(rows, name):
    return sorted((r[KEYS[name]], sorted((k, repr(spanlist_plain(v))) for k, v in r.items() if k not in publish.VOLATILE)) for r in rows)


def spanlist_plain(value):
    from flows.core.spanlist import plain

    value = plain(value)
    return sorted(value) if isinstance(value, set) else value
