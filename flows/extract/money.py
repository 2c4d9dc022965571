"""Parse money expressions ("up to USD 2 billion", "$ 500 million", "Rs1.2trn") into amount, currency, qualifier."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from flows.core.rules import load_rules


@dataclass(frozen=True)
class Money:
    amount: float
    currency: str | None
    text: str
    qualifier: str | None
    start: int
    end: int


@functools.cache
def _patterns() -> tuple[re.Pattern[str], dict[str, str], dict[str, float], dict[str, str]]:
    rules = load_rules("money")
    currencies: dict[str, str] = rules["currencies"]
    scales = {k.lower(): float(v) for k, v in rules["scales"].items()}
    symbols = "|".join(re.escape(c) for c in sorted(currencies, key=len, reverse=True))
    scale = "|".join(re.escape(s) for s in sorted(scales, key=len, reverse=True))
    number = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
    pattern = re.compile(
        rf"(?P<pre>(?<![A-Za-z])(?:{symbols}))?\s?(?P<num>{number})\s?(?P<scale>(?:{scale})\b)?\.?\s?(?P<post>(?:{symbols})(?![A-Za-z]))?",
        re.IGNORECASE,
    )
    return pattern, {k.lower(): v for k, v in currencies.items()}, scales, rules["qualifiers"]


def parse_money(text: str, start: int, end: int) -> Money | None:
    """The first amount in text[start:end]; the qualifier may stand just before the span."""
    pattern, currencies, scales, qualifiers = _patterns()
    span = text[start:end]
    match = next((m for m in pattern.finditer(span) if m.group("num")), None)
    if match is None:
        return None
    value = float(match.group("num").replace(",", ""))
    scale = (match.group("scale") or "").lower()
    value *= scales.get(scale, 1.0)
    marker = match.group("pre") or match.group("post")
    currency = currencies.get(marker.lower()) if marker else None
    lead = (text[max(0, start - 25) : start] + span[: match.start()]).lower()
    qualifier = None
    for phrase, code in sorted(qualifiers.items(), key=lambda kv: -len(kv[0])):
        if re.search(rf"\b{re.escape(phrase)}$", lead.rstrip()):
            qualifier = code
            break
    return Money(amount=value, currency=currency, text=span.strip().rstrip(".,;:"), qualifier=qualifier, start=start, end=end)


def find_amounts(text: str, start: int, end: int) -> list[Money]:
    """Every currency-marked amount in text[start:end] (the currencies are those of rules/money.yaml)."""
    pattern = _patterns()[0]
    found = []
    for match in pattern.finditer(text, start, end):
        if match.group("num") and (match.group("pre") or match.group("post")):
            # A full stop or space after the amount ends the sentence, not the amount ("$3.3bn.").
            stop = match.end() - (len(match.group(0)) - len(match.group(0).rstrip(". ")) if not match.group("post") else 0)
            money = parse_money(text, match.start(), stop)
            if money is not None and money.currency:
                found.append(money)
    return found


def to_usd(amount: float | None, currency: str | None) -> tuple[float | None, str | None]:
    """(amount in US dollars, FX table version) from rules/fx.yaml; (None, None) when either is unknown."""
    table = load_rules("fx")
    rate = table["rates"].get(currency or "")
    if amount is None or rate is None:
        return None, None
    return round(amount * rate, 2), str(table["version"])
