"""Extract entity mentions, event candidates and deal candidates from parsed articles.

Names stay as written; `resolve` makes them canonical.
"""

from __future__ import annotations

from typing import Any

from spacy.tokens import Doc

from flows.core.records import Article
from flows.extract.deal_events import deal_events, merge_deal_events
from flows.extract.deals import find_deals
from flows.extract.events import find_events
from flows.extract.mentions import find_acronyms, find_mentions, find_role_mentions


def extract_article(doc: Doc, article: Article) -> dict[str, Any]:
    """All candidates of one article."""
    named = find_mentions(doc, article["article_id"])
    mentions = sorted(named + find_role_mentions(doc, named), key=lambda m: m["start"])
    deals = find_deals(doc, article, mentions)
    events = find_events(doc, article, mentions)
    return {
        "article_id": article["article_id"],
        "mentions": mentions,
        "acronyms": find_acronyms(doc),
        # "WASHINGTON/ISLAMABAD:" names where the story was filed; the cleaner took it out of the body.
        "datelines": [p.strip() for p in (article.get("dateline") or "").split("/") if p.strip()],
        "events": merge_deal_events(events, deal_events(doc, article, deals)),
        "deals": deals,
    }


def extract_articles(articles: list[Article], *, model: str, processes: int = 1, batch_size: int = 64) -> list[dict[str, Any]]:
    """Candidates for a batch of articles, parsed with nlp.pipe."""
    from flows.extract.nlp import load_pipeline, parse

    nlp = load_pipeline(model)
    # Worker processes cost a model load each: only worth it for a real batch.
    workers = max(1, min(processes, len(articles) // 50))
    docs = parse(nlp, (a["body"] for a in articles), processes=workers, batch_size=batch_size)
    return [extract_article(doc, article) for doc, article in zip(docs, articles)]
