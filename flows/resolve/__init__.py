"""Resolve: candidates and the published rows in, one row per real entity, event and deal out, with story ids; an edited article's old contribution retracted first; which rows changed said explicitly (Proposal)."""

from flows.core.lazy import lazy_exports

__all__ = ["build_tables", "Proposal", "retract_articles", "StoryIndex"]
__getattr__ = lazy_exports(
    __name__,
    {
        "build_tables": "flows.resolve.resolver",
        "Proposal": "flows.resolve.proposal",
        "retract_articles": "flows.resolve.retract",
        "StoryIndex": "flows.resolve.stories",
    },
)
