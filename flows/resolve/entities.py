"""Entities: every name of the chunk's mentions and the published rows grouped into one row per real
entity, under the name that best represents the group.

A name key (names.name_key) met in a mention, an alias or a dateline votes for the names and labels
it was met as; keys known to name one entity (a row's aliases, a surface and its cleaned name, a
bare surname and the one full name that owns it) are joined, and each group keeps its best name.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Any

from flows.core.ids import stable_id
from flows.core.spanlist import copy_items, items_in
from flows.core.unionfind import UnionFind
from flows.resolve.names import clean_name, gazetteer_entry, is_acronym, local_names, name_key

Row = dict[str, Any]
Surfaces = dict[str, dict[str, str]]  # article id -> surface text -> canonical name
PUBLISHED_WEIGHT = 1000  # a published name outvotes any chunk: published names stay stable
HINT_WEIGHT = 100  # a gazetteer hint outvotes what the model alone saw


def resolve_entities(extractions: list[dict[str, Any]], existing: list[Row], run_id: str, touched: set[str] | None = None) -> tuple[list[Row], Surfaces]:
    """Entity rows (existing ones updated) and, per article, surface text -> canonical name.

    Rows this chunk does not change are the `existing` objects themselves (a chunk touches few);
    `touched`, when given, receives the entity_id of every row made or changed, so that planning
    compares only those."""
    tally = _Tally()
    tally.note_published(existing)
    per_article = tally.note_mentions(extractions)
    datelines = tally.note_datelines(extractions)
    tally.join_surnames()
    canonical = tally.canonical_names()
    rows = _EntityRows()
    rows.take_published(existing, canonical)
    surfaces = rows.add_mentions(extractions, per_article, canonical)
    rows.add_datelines(datelines, canonical)
    result, changed = rows.finish(run_id)
    if touched is not None:
        touched |= changed
    return result, surfaces


class _Tally:
    """Every name key met, with the names and labels it was met as (weighted votes) and the order it
    was first met in; keys that name one entity are joined in `groups`."""

    def __init__(self) -> None:
        self.groups = UnionFind()
        self.info: dict[str, dict[str, Any]] = {}

    def note(self, key: str, name: str, label: str, weight: int) -> None:
        slot = self.info.setdefault(key, {"names": Counter(), "labels": Counter(), "order": len(self.info)})
        slot["names"][name] += weight
        slot["labels"][label] += weight

    def note_published(self, existing: list[Row]) -> None:
        for row in existing:
            key = name_key(row["name"])
            self.note(key, row["name"], row["type"], PUBLISHED_WEIGHT)
            for alias in row["aliases"]:
                self.groups.union(key, name_key(clean_name(alias, row["type"])))

    def note_mentions(self, extractions: list[dict[str, Any]]) -> dict[str, dict[str, tuple[str, str]]]:
        """Each article's local names (names.local_names), by article id."""
        per_article = {}
        for ex in extractions:
            names = local_names(ex)
            per_article[ex["article_id"]] = names
            for m in ex["mentions"]:
                if m.get("refers_to") or m["text"] not in names:
                    continue  # a role is no name: "army chief" must not join two armies' chiefs
                name, label = names[m["text"]]
                key = name_key(name)
                self.note(key, name, label, HINT_WEIGHT if m["canonical_hint"] else 1)
                self.groups.union(key, name_key(clean_name(m["text"], label)))
        return per_article

    def note_datelines(self, extractions: list[dict[str, Any]]) -> dict[str, list[tuple[str, str]]]:
        """article id -> (name, place as written) of each dateline place."""
        datelines: dict[str, list[tuple[str, str]]] = {}
        for ex in extractions:
            for place in ex.get("datelines", []):
                place = place.title() if place.isupper() else place
                name, label = gazetteer_entry(place) or (place, "GPE")
                self.note(name_key(name), name, label, 1)
                datelines.setdefault(ex["article_id"], []).append((name, place))
        return datelines

    def join_surnames(self) -> None:
        """A bare surname or acronym seen in one article joins the one corpus entity that owns it."""
        by_last: dict[str, set[str]] = defaultdict(set)
        for key in self.info:
            if " " in key and self.info[key]["labels"].most_common(1)[0][0] == "PERSON":
                by_last[key.split()[-1]].add(self.groups.find(key))
        for key in list(self.info):
            if " " not in key and len(by_last.get(key, ())) == 1:
                self.groups.union(key, next(iter(by_last[key])))

    def canonical_names(self) -> dict[str, tuple[str, str]]:
        """name key -> (name, type) of its group: the best-supported full name, the most voted type."""
        members: dict[str, list[str]] = defaultdict(list)
        for key in self.info:
            members[self.groups.find(key)].append(key)
        canonical: dict[str, tuple[str, str]] = {}
        for keys in members.values():
            names: Counter[str] = Counter()
            labels: Counter[str] = Counter()
            for k in keys:
                names.update(self.info[k]["names"])
                labels.update(self.info[k]["labels"])
            first = {k: self.info[k]["order"] for k in keys}
            best = max(names, key=lambda n: (not is_acronym(n), names[n] >= HINT_WEIGHT, len(n.split()), names[n], -first.get(name_key(n), 0)))
            for k in keys:
                canonical[k] = (best, labels.most_common(1)[0][0])
        return canonical


class _EntityRows:
    """Entity rows by canonical name. Published rows are shared, not copied, until this chunk changes
    them (copy on write): a chunk touches few of them, and copying all would cost the whole table."""

    def __init__(self) -> None:
        self.rows: dict[str, Row] = {}
        self.owned: set[int] = set()  # ids of the rows this chunk made or copied: the ones it may change

    def own(self, name: str, label: str | None = None) -> Row:
        """The row of `name` to change: a new one, or the published one copied first."""
        row = self.rows.get(name)
        if row is None:
            row = {"name": name, "type": label, "aliases": [], "mentions": [], "article_ids": [], "sources": set()}
        elif id(row) not in self.owned:
            row = {**row, "aliases": list(row["aliases"]), "mentions": copy_items(row["mentions"]), "article_ids": list(row["article_ids"])}
        self.rows[name] = row
        self.owned.add(id(row))
        return row

    def shared(self, name: str) -> Row | None:
        """The published row of `name` while this chunk has not changed it."""
        row = self.rows.get(name)
        return row if row is not None and id(row) not in self.owned else None

    def take_published(self, existing: list[Row], canonical: dict[str, tuple[str, str]]) -> None:
        for row in existing:
            name, label = canonical[name_key(row["name"])]
            if name in self.rows:  # two published entities now known to be one
                target = self.own(name)
                for field in ("aliases", "article_ids"):
                    target[field] += [x for x in row[field] if x not in target[field]]
                known = {_evidence_key(m) for m in target["mentions"]}
                target["mentions"].extend(m for m in row["mentions"] if _evidence_key(m) not in known)
            elif (name, label) == (row["name"], row["type"]):
                self.rows[name] = row
            else:
                self.rows[name] = row
                self.own(name).update(name=name, type=label)

    def add_mentions(self, extractions: list[dict[str, Any]], per_article: dict[str, dict[str, tuple[str, str]]], canonical: dict[str, tuple[str, str]]) -> Surfaces:
        """Link every named mention to its entity's row; the surfaces of each article, by article id."""
        chunk_ids = frozenset(ex["article_id"] for ex in extractions)
        surface_map: Surfaces = {}
        # Sets beside the lists: a common entity has a mention in most articles, and list scans are quadratic.
        members_seen: dict[str, tuple[set[str], set[tuple[Any, ...]], set[str]]] = {}
        for ex in extractions:
            names = per_article[ex["article_id"]]
            surface_map[ex["article_id"]] = {}
            for m in ex["mentions"]:
                if m["text"] not in names:
                    continue  # no name once cleaned ("Mr X")
                name, label = canonical[name_key(names[m["text"]][0])]
                surface_map[ex["article_id"]][m["text"]] = name
                row = self.own(name, label)
                row.setdefault("sources", set()).add(m["source"])
                if name not in members_seen:
                    # Only this chunk's articles can repeat a mention (their old ones were retracted first).
                    seen = {_evidence_key(e) for e in items_in(row["mentions"], chunk_ids)}
                    members_seen[name] = (set(row["aliases"]), seen, set(row["article_ids"]))
                aliases, mentions, article_ids = members_seen[name]
                alias = re.sub(r"\s+", " ", m["text"]).strip()
                if alias not in aliases and not m.get("refers_to"):
                    aliases.add(alias)
                    row["aliases"].append(alias)
                evidence = {k: m[k] for k in ("article_id", "sentence_index", "start", "end", "text")}
                if _evidence_key(evidence) not in mentions:
                    mentions.add(_evidence_key(evidence))
                    row["mentions"].append(evidence)
                if m["article_id"] not in article_ids:
                    article_ids.add(m["article_id"])
                    row["article_ids"].append(m["article_id"])
                row["type"] = label
        return surface_map

    def add_datelines(self, datelines: dict[str, list[tuple[str, str]]], canonical: dict[str, tuple[str, str]]) -> None:
        """A dateline links its place to the article, with no span in the body."""
        for article_id, places in datelines.items():
            for name, alias in places:
                name, label = canonical[name_key(name)]
                shared = self.shared(name)
                if shared is not None and alias in shared["aliases"] and article_id in shared["article_ids"]:
                    continue  # a published row that already links this dateline stays shared
                row = self.own(name, label)
                row.setdefault("sources", set()).add("dateline")
                if alias not in row["aliases"]:
                    row["aliases"].append(alias)
                if article_id not in row["article_ids"]:
                    row["article_ids"].append(article_id)

    def finish(self, run_id: str) -> tuple[list[Row], set[str]]:
        """Every row, by entity_id, with the changed ones completed; and the entity_ids of those."""
        result, touched = [], set()
        for name, row in self.rows.items():
            if id(row) in self.owned:
                _complete(row, name, run_id)
                touched.add(row["entity_id"])
            result.append(row)
        return sorted(result, key=lambda r: r["entity_id"]), touched


def _complete(row: Row, name: str, run_id: str) -> None:
    """The derived fields of a row this chunk made or changed: id, count, extractor, run."""
    sources = row.pop("sources", None)
    if name not in row["aliases"]:
        row["aliases"].insert(0, name)
    row["entity_id"] = stable_id("e", name.casefold())
    row["mention_count"] = len(row["mentions"])
    if sources is not None and "extractor" not in row:
        row["extractor"] = "+".join(s for s in ("model", "gazetteer", "dateline") if s in sources)
    row.setdefault("run_id", run_id)


def _evidence_key(evidence: dict[str, Any]) -> tuple[Any, ...]:
    return (evidence["article_id"], evidence["sentence_index"], evidence["start"], evidence["end"], evidence["text"])
