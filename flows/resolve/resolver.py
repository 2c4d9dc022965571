"""Resolve names to canonical entities, articles to stories, and candidates to one row per real thing.

Inputs are the candidates of this run's new articles plus the rows already published, so a
new report of a known event or deal updates that row instead of adding another.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from flows.core.ids import stable_id
from flows.core.rules import load_rules
from flows.core.schemas import load_codebook
from flows.core.spanlist import copy_items, items_in
from flows.core.unionfind import UnionFind
from flows.extract.money import to_usd
from flows.extract.nlp import is_entity_name
from flows.resolve.stories import StoryIndex, assign_stories

# --- names -----------------------------------------------------------------------------------


@functools.cache
def _title_pattern() -> re.Pattern[str]:
    titles = sorted(load_rules("titles")["titles"], key=len, reverse=True)
    alternatives = "|".join(re.escape(t).replace(r"\ ", r"\s+") for t in titles)
    return re.compile(rf"^(?:(?:the|us|u\.s\.|pakistani|american|chinese|indian)\s+)?(?:(?:{alternatives})\.?\s+)+", re.IGNORECASE)


@functools.cache
def _gazetteer() -> dict[str, tuple[str, str]]:
    """name key -> (canonical name, type) for every gazetteer name and alias."""
    table = {}
    for entry in load_rules("gazetteer"):
        for surface in [entry["name"], *entry.get("aliases", [])]:
            table[name_key(surface)] = (entry["name"], entry["type"])
    return table


# Names repeat across thousands of articles, and these depend only on the text and the cached rules.
@functools.lru_cache(maxsize=1 << 16)
def clean_name(text: str, label: str) -> str:
    """Strip articles, titles, possessives and stray punctuation; repair shouted surnames."""
    name = re.sub(r"\s+", " ", text).strip(" .,;:-–—\"“”‘’'")
    name = re.sub(r"(?:'s|’s|’|')$", "", name)
    name = re.sub(r"^(the|The|THE)\s+", "", name)
    if label == "ORG":
        name = re.sub(r"\.(com|pk|org|net|co\.uk)$", "", name)  # "Dawn.com" is the outlet Dawn
        name = re.sub(r"\bCorp\b\.?", "Corporation", name)
    if label == "PERSON":
        name = _title_pattern().sub("", name).strip()
        name = " ".join(w.capitalize() if w.isupper() and len(w) > 2 else w for w in name.split())
    return name.strip()


@functools.lru_cache(maxsize=1 << 16)
def name_key(name: str) -> str:
    """A comparison key: case, punctuation, a leading 'the' and spelling variants folded."""
    variants = load_rules("titles")["spelling_variants"]
    words = re.findall(r"[\w]+", name.casefold().replace("’", "'"))
    words = [variants.get(w, w) for w in words if w not in {"the", "s"}]
    return " ".join(words)


def _is_acronym(name: str) -> bool:
    return bool(re.fullmatch(r"[A-Z][A-Za-z]*[A-Z]", name)) and len(name) <= 8


def local_names(extraction: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """surface text -> (name, type) within one article: gazetteer, defined acronyms, surnames."""
    mentions = extraction["mentions"]
    acronyms = {short: long for short, long in extraction["acronyms"]}
    result: dict[str, tuple[str, str]] = {}
    full_people = [clean_name(m["text"], "PERSON") for m in mentions if m["label"] == "PERSON"]
    full_people = [p for p in full_people if len(p.split()) > 1]
    orgs = {clean_name(m["text"], "ORG") for m in mentions if m["label"] == "ORG"}
    suffixes = {w.lower() for w in load_rules("titles")["org_suffixes"]}
    for m in mentions:
        label = m["label"]
        if m.get("refers_to"):
            continue
        if m["canonical_hint"]:
            result[m["text"]] = _gazetteer()[name_key(m["canonical_hint"])]
            continue
        name = clean_name(m["text"], label)
        if m["text"] in acronyms or name in acronyms:
            name = clean_name(acronyms.get(m["text"], acronyms.get(name, name)), label)
        elif label == "PERSON" and len(name.split()) == 1:
            same = [p for p in full_people if name_key(p.split()[-1]) == name_key(name)]
            if same:
                name = same[0]
        elif label == "ORG":  # "World Liberty" is the "World Liberty Financial" the article names
            longer = [o for o in orgs if o.startswith(name + " ") and all(w.lower() in suffixes for w in o[len(name) + 1 :].split())]
            if len(longer) == 1:
                name = longer[0]
        hit = _gazetteer().get(name_key(name))
        if hit or is_entity_name(name):  # a surface that cleans to no name ("Mr X") names nobody
            result[m["text"]] = hit if hit else (name, label)
    for m in mentions:  # "the army chief" is whoever the article introduced as its army chief
        if m.get("refers_to") and m["refers_to"] in result:
            result[m["text"]] = result[m["refers_to"]]
    return result


def resolve_entities(
    extractions: list[dict[str, Any]], existing: list[dict[str, Any]], run_id: str
) -> tuple[list[dict[str, Any]], dict[str, dict[str, str]]]:
    """Entity rows (existing ones updated) and, per article, surface text -> canonical name."""
    groups = UnionFind()
    info: dict[str, dict[str, Any]] = {}

    def note(key: str, name: str, label: str, weight: int) -> None:
        slot = info.setdefault(key, {"names": Counter(), "labels": Counter(), "order": len(info)})
        slot["names"][name] += weight
        slot["labels"][label] += weight

    for row in existing:
        key = name_key(row["name"])
        note(key, row["name"], row["type"], 1000)  # keep published names stable
        for alias in row["aliases"]:
            groups.union(key, name_key(clean_name(alias, row["type"])))
    per_article = {}
    for ex in extractions:
        names = local_names(ex)
        per_article[ex["article_id"]] = names
        for m in ex["mentions"]:
            if m.get("refers_to") or m["text"] not in names:
                continue  # a role is no name: "army chief" must not join two armies' chiefs
            name, label = names[m["text"]]
            key = name_key(name)
            note(key, name, label, 100 if m["canonical_hint"] else 1)
            groups.union(key, name_key(clean_name(m["text"], label)))
    datelines: dict[str, list[tuple[str, str]]] = {}
    for ex in extractions:
        for place in ex.get("datelines", []):
            place = place.title() if place.isupper() else place
            name, label = _gazetteer().get(name_key(place), (place, "GPE"))
            note(name_key(name), name, label, 1)
            datelines.setdefault(ex["article_id"], []).append((name, place))
    # A bare surname or acronym seen in one article joins the one corpus entity that owns it.
    by_last: dict[str, set[str]] = defaultdict(set)
    for key in info:
        if " " in key and info[key]["labels"].most_common(1)[0][0] == "PERSON":
            by_last[key.split()[-1]].add(groups.find(key))
    for key in list(info):
        if " " not in key and len(by_last.get(key, ())) == 1:
            groups.union(key, next(iter(by_last[key])))

    members: dict[str, list[str]] = defaultdict(list)
    for key in info:
        members[groups.find(key)].append(key)
    canonical: dict[str, tuple[str, str]] = {}
    for keys in members.values():
        names: Counter[str] = Counter()
        labels: Counter[str] = Counter()
        for k in keys:
            names.update(info[k]["names"])
            labels.update(info[k]["labels"])
        first = {k: info[k]["order"] for k in keys}
        best = max(
            names,
            key=lambda n: (not _is_acronym(n), names[n] >= 100, len(n.split()), names[n], -first.get(name_key(n), 0)),
        )
        for k in keys:
            canonical[k] = (best, labels.most_common(1)[0][0])

    # Published rows are shared, not copied, until this chunk changes them: a chunk touches few
    # of them, and the flow tells unchanged rows by identity (publish.plan_changes).
    rows: dict[str, dict[str, Any]] = {}
    owned: set[int] = set()

    def own(name: str, label: str | None = None) -> dict[str, Any]:
        row = rows.get(name)
        if row is None:
            row = {"name": name, "type": label, "aliases": [], "mentions": [], "article_ids": [], "sources": set()}
        elif id(row) not in owned:
            row = {**row, "aliases": list(row["aliases"]), "mentions": copy_items(row["mentions"]), "article_ids": list(row["article_ids"])}
        rows[name] = row
        owned.add(id(row))
        return row

    for row in existing:
        name, label = canonical[name_key(row["name"])]
        if name in rows:  # two published entities now known to be one
            target = own(name)
            for field in ("aliases", "article_ids"):
                target[field] += [x for x in row[field] if x not in target[field]]
            known = {_evidence_key(m) for m in target["mentions"]}
            target["mentions"].extend(m for m in row["mentions"] if _evidence_key(m) not in known)
        elif (name, label) == (row["name"], row["type"]):
            rows[name] = row
        else:
            rows[name] = row
            own(name).update(name=name, type=label)
    chunk_ids = frozenset(ex["article_id"] for ex in extractions)
    surface_map: dict[str, dict[str, str]] = {}
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
            row = own(name, label)
            row.setdefault("sources", set()).add(m["source"])
            if name not in members_seen:
                # Only this chunk's articles can repeat a mention (the flow retracts them first).
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
    for article_id, places in datelines.items():  # a dateline links its place, with no span in the body
        for name, alias in places:
            name, label = canonical[name_key(name)]
            shared = rows.get(name) if name in rows and id(rows[name]) not in owned else None
            if shared is not None and alias in shared["aliases"] and article_id in shared["article_ids"]:
                continue  # a published row that already links this dateline stays shared
            row = own(name, label)
            row.setdefault("sources", set()).add("dateline")
            if alias not in row["aliases"]:
                row["aliases"].append(alias)
            if article_id not in row["article_ids"]:
                row["article_ids"].append(article_id)
    result = []
    for name, row in rows.items():
        if id(row) not in owned:
            result.append(row)
            continue
        sources = row.pop("sources", None)
        if name not in row["aliases"]:
            row["aliases"].insert(0, name)
        row["entity_id"] = stable_id("e", name.casefold())
        row["mention_count"] = len(row["mentions"])
        if sources is not None and "extractor" not in row:
            row["extractor"] = "+".join(s for s in ("model", "gazetteer", "dateline") if s in sources)
        row.setdefault("run_id", run_id)
        result.append(row)
    return sorted(result, key=lambda r: r["entity_id"]), surface_map


def _evidence_key(evidence: dict[str, Any]) -> tuple[Any, ...]:
    return (evidence["article_id"], evidence["sentence_index"], evidence["start"], evidence["end"], evidence["text"])


# --- events and deals --------------------------------------------------------------------------


def _canonical(names: Iterable[str], surface: dict[str, str]) -> list[str]:
    return list(dict.fromkeys(surface.get(n, n) for n in names))


def _overlap(a: Iterable[str], b: Iterable[str]) -> int:
    return len(set(a) & set(b))


class _RowStories:
    """A row's set of stories, cached by identity and kept current by the caller as rows merge:
    a big row has thousands of sources, and it is asked once per candidate compared with it."""

    def __init__(self, blocks: _Blocks, stories: dict[str, str]) -> None:
        self.blocks, self.stories = blocks, stories
        self.known: dict[int, set[str]] = {}

    def __call__(self, row: dict[str, Any]) -> set[str]:
        indexed = id(row) in self.blocks.position  # a candidate's id may be reused: never cache one
        found = self.known.get(id(row)) if indexed else None
        if found is None:
            found = {self.stories[x] for x in row["article_ids"] if self.stories.get(x) is not None}
            if indexed:
                self.known[id(row)] = found
        return found


def _same_event(a: dict[str, Any], b: dict[str, Any], stories: dict[str, str], stories_of: Any = None) -> bool:
    """Same type, shared actors, and the same date or (when either has none) the same story.
    `stories_of(row)` may give a row's stories from a cache: a big row has thousands of sources."""
    if a["event_type"] != b["event_type"] or _overlap(a["actors"], b["actors"]) < min(2, len(a["actors"]), len(b["actors"])):
        return False
    if a["event_date"] and b["event_date"]:
        return a["event_date"] == b["event_date"] and a["date_granularity"] == b["date_granularity"]
    if (a["date_text"] or b["date_text"]) and a.get("date_granularity") != b.get("date_granularity"):
        return False
    of = stories_of or (lambda row: {stories.get(x) for x in row["article_ids"]} - {None})
    return bool(of(a) & of(b))


def _merge_rows(target: dict[str, Any], other: dict[str, Any], list_fields: tuple[str, ...]) -> None:
    for field in list_fields:
        for item in other[field]:
            if item not in target[field]:
                target[field].append(item)
    # A row reported by hundreds of articles is merged into hundreds of times a chunk: evidence
    # from an article the row lacks cannot repeat, so only the rest is compared item by item.
    articles = set(target["article_ids"])
    for ev in other["evidence"]:
        if ev["article_id"] not in articles or ev not in target["evidence"]:
            target["evidence"].append(ev)
    for aid in other["article_ids"]:
        if aid not in articles:
            articles.add(aid)
            target["article_ids"].append(aid)
    for key, value in other.items():
        if target.get(key) is None and value is not None:
            target[key] = value
    target["confidence"] = round(min(1.0, max(target["confidence"], other["confidence"]) + 0.05), 3)


def resolve_events(
    extractions: list[dict[str, Any]],
    surfaces: dict[str, dict[str, str]],
    stories: dict[str, str],
    existing: list[dict[str, Any]],
    run_id: str,
) -> list[dict[str, Any]]:
    """Event rows: candidates with canonical actors, merged within an article and across a story."""
    codebook = load_rules_codebook()["event_types"]
    rows = list(existing)  # shared until a candidate merges into one (copy on write, see _Blocks.own)
    blocks = _Blocks(rows, lambda r: _event_keys(r, stories))
    stories_of = _RowStories(blocks, stories)

    for ex in extractions:
        for cand in ex["events"]:
            row = {k: v for k, v in cand.items() if k not in {"future", "evidence"}}
            row["actors"] = _canonical(cand["actors"], surfaces[ex["article_id"]])
            row["article_ids"] = [ex["article_id"]]
            row["evidence"] = [cand["evidence"]]
            row["plover_category"] = codebook[row["event_type"]]["plover_category"]
            row["plover_mode"] = codebook[row["event_type"]]["plover_mode"]
            if row["location"]:
                row["location"] = surfaces[ex["article_id"]].get(row["location"], row["location"])
            match = blocks.first(rows, _event_keys(row, stories), lambda r: _same_event(r, row, stories, stories_of))
            if match is None:
                row["event_id"] = stable_id("v", ex["article_id"], cand["evidence"]["start"], row["event_type"], *row["actors"][:1])
                row["run_id"] = run_id
                rows.append(row)
                match = blocks.own(rows, row)
            else:
                merged = stories_of(match) | stories_of(row)
                match = blocks.own(rows, match, ("actors",))
                _merge_rows(match, row, ("actors",))
                match["run_id"] = run_id
                stories_of.known[id(match)] = merged
            # Only what this candidate brought: its story and date, with the row's actors. The keys
            # of the row's earlier sources are indexed already (a big row has thousands).
            blocks.add(rows, match, _event_keys({**match, "article_ids": row["article_ids"]}, stories))
    return rows


def _event_keys(row: dict[str, Any], stories: dict[str, str]) -> list[tuple[Any, ...]]:
    """Blocking keys of an event (see _same_event): events of a type match only when they share a
    story, or are dated the same and share an actor (an event with none matches any: None is the
    wildcard). Popular actors alone would make blocks of thousands."""
    keys: list[tuple[Any, ...]] = [(row["event_type"], "story", stories[a]) for a in row["article_ids"] if a in stories]
    if row["event_date"]:
        keys += [(row["event_type"], "date", row["event_date"], row["date_granularity"], actor) for actor in row["actors"] or [None]]
    return keys


class _Blocks:
    """Rows indexed by blocking keys, so a candidate is compared only with rows it could match.

    Candidates are tried in row order, so the first match is the one a full scan would find.
    Keys with a None second part stand for "matches anything of this kind".
    """

    def __init__(self, rows: list[dict[str, Any]], keys: Any) -> None:
        self.index: dict[tuple[Any, ...], set[int]] = defaultdict(set)
        self.keys_at: dict[int, set[tuple[Any, ...]]] = defaultdict(set)  # what each position is indexed under
        self.position: dict[int, int] = {}
        self.owned: set[int] = set()  # ids of the rows this resolution made or copied
        for at, row in enumerate(rows):
            self.position[id(row)] = at
            self.add(rows, row, keys(row))

    def own(self, rows: list[dict[str, Any]], row: dict[str, Any], list_fields: tuple[str, ...] = ()) -> dict[str, Any]:
        """The row, copied in place in `rows` first when it is a published one: published rows are
        shared with the caller's state, which must not change unless the chunk is published."""
        if id(row) in self.owned:
            return row
        at = self.position.get(id(row))
        if at is not None:
            row = {**row, **{f: list(row[f]) for f in (*list_fields, "article_ids", "evidence")}}
            rows[at] = row
            self.position[id(row)] = at
        self.owned.add(id(row))
        return row

    def add(self, rows: list[dict[str, Any]], row: dict[str, Any], keys: list[tuple[Any, ...]]) -> None:
        at = self.position.setdefault(id(row), len(rows) - 1)  # a row not met yet was just appended
        # A row re-added after each merge keeps its keys: index only the new ones, or a deal reported
        # by hundreds of articles costs hundreds of set insertions per merge.
        known = self.keys_at[at]
        for key in keys:
            if key in known:
                continue
            known.add(key)
            self.index[key].add(at)
            if key[-1] is not None:
                self.index[(*key[:-1], "*")].add(at)

    def first(self, rows: list[dict[str, Any]], keys: list[tuple[Any, ...]], same: Any) -> dict[str, Any] | None:
        found: set[int] = set()
        for key in keys:
            wildcard = key[-1] is None
            found |= self.index.get((*key[:-1], "*") if wildcard else key, set())
            found |= self.index.get((*key[:-1], None), set())
        return next((rows[i] for i in sorted(found) if same(rows[i])), None)


def _same_deal(a: dict[str, Any], b: dict[str, Any], stories: dict[str, str], stories_of: Any = None) -> bool:
    """`stories_of(row)` may give a row's stories from a cache, as for _same_event."""
    of = stories_of or (lambda row: {stories.get(x) for x in row["article_ids"]} - {None})

    def shared_article() -> bool:  # no set of a big row's thousands of articles per comparison
        return not set(b["article_ids"]).isdisjoint(a["article_ids"])

    if a["amount"] is not None and b["amount"] is not None:
        close = abs(a["amount"] - b["amount"]) <= 0.01 * max(a["amount"], b["amount"]) and a["currency"] == b["currency"]
        return close and (_overlap(a["parties"], b["parties"]) >= 1 or shared_article())
    if a["amount"] is None and b["amount"] is None:
        return a["deal_type"] == b["deal_type"] and _overlap(a["parties"], b["parties"]) >= min(2, len(a["parties"]), len(b["parties"])) and bool(of(a) & of(b))
    # An amountless MoU reported near the amount it is about ("secured $500m through a deal with X ...
    # X signed an MoU with Y"): same story or article, compatible types, shared parties.
    # Cheapest first: _adjacent walks every evidence item of a row with hundreds.
    overlap = _overlap(a["parties"], b["parties"])
    if overlap < 1 or not _compatible(a["deal_type"], b["deal_type"]):
        return False
    return (shared_article() or bool(of(a) & of(b))) and (overlap >= 2 or _adjacent(a, b))


AMOUNT_BUCKET = math.log(1.02)  # width of a blocking bucket of log amounts: twice _same_deal's 1 %


def _deal_keys(row: dict[str, Any], stories: dict[str, str], query: bool = False) -> list[tuple[Any, ...]]:
    """Blocking keys of a deal (see _same_deal): deals match only when their amounts are within
    1 % (same 2 % bucket of log amount, or a neighbour when querying) or they share an article
    or a story. Popular parties alone would make blocks of thousands."""
    keys: list[tuple[Any, ...]] = [("article", a) for a in row["article_ids"]]
    keys += [("story", stories[a]) for a in row["article_ids"] if a in stories]
    if row["amount"] is not None:
        bucket = math.floor(math.log(row["amount"]) / AMOUNT_BUCKET) if row["amount"] > 0 else "zero"
        near = [bucket - 1, bucket, bucket + 1] if query and bucket != "zero" else [bucket]
        keys += [("amount", row["currency"], b) for b in near]
    return keys


def _compatible(a: str, b: str) -> bool:
    """Deal types that can describe one deal: an MoU for an investment, a loan under a financing."""
    loose = {"mou", "investment", "financing", "loan", "equity", "grant", "other"}
    return a == b or (a in loose and b in loose)


def _adjacent(a: dict[str, Any], b: dict[str, Any]) -> bool:
    for ea in a["evidence"]:
        for eb in b["evidence"]:
            if ea["article_id"] == eb["article_id"] and abs(ea["sentence_index"] - eb["sentence_index"]) <= 1:
                return True
    return False


def _merge_deal(target: dict[str, Any], other: dict[str, Any]) -> None:
    rules = load_rules("deals")
    priority = rules["status_priority"]
    if other["amount"] is None and target["amount"] is not None and other["deal_type"] in rules["amountless_types"]:
        target["deal_type"] = other["deal_type"]  # the MoU names what the amount is
    if priority.index(other["status"]) < priority.index(target["status"]):
        target["status"] = other["status"]
    known = {p["name"] for p in target["party_roles"]}
    target["party_roles"] += [p for p in other["party_roles"] if p["name"] not in known]
    _merge_rows(target, other, ("parties",))


def resolve_deals(
    extractions: list[dict[str, Any]],
    surfaces: dict[str, dict[str, str]],
    stories: dict[str, str],
    dates: dict[str, Any],
    existing: list[dict[str, Any]],
    run_id: str,
) -> list[dict[str, Any]]:
    """Deal rows: canonical parties, one row per deal across reports, parts linked to totals."""
    rows = list(existing)  # shared until a candidate merges into one (copy on write, see _Blocks.own)
    blocks = _Blocks(rows, lambda r: _deal_keys(r, stories))
    stories_of = _RowStories(blocks, stories)
    for ex in extractions:
        surface = surfaces[ex["article_id"]]
        local: dict[str, str] = {}
        touched: list[dict[str, Any]] = []
        for cand in ex["deals"]:
            row = {k: v for k, v in cand.items() if k != "evidence"}
            row["parties"] = _canonical(cand["parties"], surface)
            roles: dict[str, str] = {}
            for p in cand["party_roles"]:
                roles.setdefault(surface.get(p["name"], p["name"]), p["role"])
            row["party_roles"] = [{"name": n, "role": r} for n, r in roles.items()]
            row["project"] = surface.get(row["project"], row["project"]) if row["project"] else None
            row["article_ids"] = [ex["article_id"]]
            row["evidence"] = [cand["evidence"]]
            row["announced_date"] = dates.get(ex["article_id"])
            keys = _deal_keys(row, stories, query=True)
            match = blocks.first(rows, keys, lambda r: _same_deal(r, row, stories, stories_of))
            if match is None:
                row["deal_id"] = stable_id("d", ex["article_id"], cand["evidence"]["start"], cand["amount_text"] or row["deal_type"])
                row["run_id"] = run_id
                rows.append(row)
                match = blocks.own(rows, row)
            else:
                merged = stories_of(match) | stories_of(row)
                match = blocks.own(rows, match, ("parties", "party_roles"))
                _merge_deal(match, row)
                match["run_id"] = run_id
                stories_of.known[id(match)] = merged
            # What this candidate brought (its article and story) and the row's amount, as for events.
            blocks.add(rows, match, _deal_keys({**match, "article_ids": row["article_ids"]}, stories))
            touched.append(match)
            if cand["amount_text"]:
                local[cand["amount_text"]] = match["deal_id"]
        # Only this article's rows carry its amount texts as part_of (extract links parts within a sentence).
        for row in touched:
            if row.get("part_of") in local:
                row["part_of"] = local[row["part_of"]]
    totals = {r["part_of"] for r in rows if r.get("part_of")}
    pledges = set(load_rules_codebook()["pledge_deal_types"])
    for at, row in enumerate(rows):
        values: dict[str, Any] = {"counts_toward_totals": row["deal_type"] not in pledges and row["deal_id"] not in totals}
        if row.get("part_of") and not str(row["part_of"]).startswith("d_"):
            values["part_of"] = None
        if row.get("fx_version") is None or row.get("amount_usd") is None:  # published figures keep their table
            values["amount_usd"], values["fx_version"] = to_usd(row["amount"], row["currency"])
        if id(row) in blocks.owned:
            row.update(values)
        elif any(row.get(k) != v for k, v in values.items()):  # a published total that gained a part
            rows[at] = {**row, **values}
    return rows


@functools.cache
def load_rules_codebook() -> dict[str, Any]:
    return load_codebook()


def build_tables(
    new_articles: list[dict[str, Any]],
    extractions: list[dict[str, Any]],
    published: dict[str, list[dict[str, Any]]],
    run_id: str,
    story_index: StoryIndex | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """The full proposed content of every table after adding this run's articles.

    story_index holds the published articles (and takes in the new ones); without one, a fresh
    index is built from published["articles"], which then need their bodies.
    """
    if story_index is None:
        story_index = StoryIndex()
        story_index.add_published(published["articles"])
    stories = assign_stories(new_articles, story_index)
    articles = list(published["articles"]) + [{**a, "story_id": stories[a["article_id"]], "run_id": run_id} for a in new_articles]
    all_stories = {a["article_id"]: a["story_id"] for a in articles}
    dates = {a["article_id"]: a["published_date"] for a in articles}
    entities, surfaces = resolve_entities(extractions, published["entities"], run_id)
    events = resolve_events(extractions, surfaces, all_stories, published["events"], run_id)
    deals = resolve_deals(extractions, surfaces, all_stories, dates, published["deals"], run_id)
    return {"articles": articles, "entities": entities, "events": events, "deals": deals}
