"""Parse money expressions ("up to USD 2 billion", "$ 500 million", "Rs1.2trn", "12.5-billion-yen",
"Tk 3,480 crore") into amount, currency, qualifier; the amounts of a sentence and which are deals'.

The currency markers are the world's (flows/core/world: ISO codes, CLDR symbols, English names)
plus the newswire forms of rules/money.yaml that no package knows ("Tk", "Dh", "SDR"); the
file's readings win where a marker is ambiguous ("Rs" is the rupee of Pakistan here).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from spacy.tokens import Span, Token

from flows.core import world
from flows.core.rules import load_rules
from flows.extract.mentions import doc_text, sentence_ents


@dataclass(frozen=True)
class Money:
    amount: float
    currency: str | None
    text: str
    qualifier: str | None
    start: int
    end: int


# 1,234,567 / 12,34,567 (lakh grouping) / 1234.5
NUMBER = r"\d{1,3}(?:,\d{2})*,\d{3}(?:\.\d+)?|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"


@functools.cache
def _markers() -> tuple[dict[str, str], dict[str, str]]:
    """(symbols and codes, matched with their case; currency names, matched in any case) -> ISO code."""
    rules = load_rules("money")
    exact: dict[str, str] = {}
    named: dict[str, str] = {}
    for currency in world.currencies():
        exact.setdefault(currency.code, currency.code)
        for symbol in currency.symbols:
            # A lone letter ("K", "R", "P") or an invisible mark is too common a word to mark an amount.
            if (len(symbol) > 1 or not symbol.isalpha()) and symbol.strip("\u200b\u200f\u202f ") == symbol and symbol.isprintable():
                exact.setdefault(symbol, world.currency_by_symbol(symbol).code)  # type: ignore[union-attr]
        for name in currency.names:
            if re.fullmatch(r"[A-Za-z][A-Za-z .'-]*", name):
                named.setdefault(name.lower(), currency.code)
    for word in list(world.money().by_currency_word):
        if re.fullmatch(r"[a-z][a-z .'-]*", word):
            named.setdefault(word, world.currencies_by_name(word)[0].code)
    for marker, code in rules["currencies"].items():
        (exact if not marker.islower() else named)[marker if not marker.islower() else marker.lower()] = code
    return exact, named


TYPO_MIN_LETTERS = 7  # a scale word this long keeps its value with one letter dropped


def _with_typos(scales: dict[str, float]) -> dict[str, float]:
    """Scale words with one letter dropped ("billon", "milion"): wire copy misspells them, and
    read without a scale the amount is a thousand or a million times too small."""
    typos = {w[:i] + w[i + 1 :]: v for w, v in scales.items() if len(w) >= TYPO_MIN_LETTERS for i in range(1, len(w))}
    return {**typos, **scales}


@functools.cache
def _patterns() -> tuple[re.Pattern[str], dict[str, float], dict[str, str]]:
    rules = load_rules("money")
    exact, named = _markers()
    scales = _with_typos({k.lower(): float(v) for k, v in rules["scales"].items()})

    def alternation(words: dict[str, str]) -> str:
        return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))

    # Symbols and codes keep their case (a code is no word: "ALL" is a currency, "all" is not); names
    # and scale words do not. A scale or a name may follow after a hyphen ("$40-million", "9-billion-yen").
    # A name follows its number ("5 billion won"); before it, it is a word ("won 5 seats").
    symbols, marker = alternation(exact), rf"(?:{alternation(exact)})|(?i:{alternation(named)})"
    pattern = re.compile(
        rf"(?P<pre>(?<![A-Za-z])(?:{symbols}))?\s?(?P<num>{NUMBER})(?:-|\s)?(?P<scale>(?i:{alternation(scales)})\b)?\.?(?:-|\s)?(?P<post>(?:{marker})(?![A-Za-z]))?"
    )
    return pattern, scales, rules["qualifiers"]


def _currency(marker: str | None) -> str | None:
    if not marker:
        return None
    exact, named = _markers()
    return exact.get(marker) or named.get(marker.lower())


def parse_money(text: str, start: int, end: int) -> Money | None:
    """The first amount in text[start:end]; the qualifier may stand just before the span."""
    pattern, scales, qualifiers = _patterns()
    span = text[start:end]
    match = next((m for m in pattern.finditer(span) if m.group("num")), None)
    if match is None:
        return None
    value = float(match.group("num").replace(",", ""))
    scale = (match.group("scale") or "").lower()
    value *= scales.get(scale, 1.0)
    currency = _currency(match.group("pre")) or _currency(match.group("post"))
    lead = (text[max(0, start - 25) : start] + span[: match.start()]).lower()
    qualifier = None
    for phrase, code in sorted(qualifiers.items(), key=lambda kv: -len(kv[0])):
        if re.search(rf"\b{re.escape(phrase)}$", lead.rstrip()):
            qualifier = code
            break
    return Money(amount=value, currency=currency, text=span.strip().rstrip(".,;:-"), qualifier=qualifier, start=start, end=end)


def find_amounts(text: str, start: int, end: int) -> list[Money]:
    """Every currency-marked amount in text[start:end]."""
    pattern = _patterns()[0]
    found: list[Money] = []
    for match in pattern.finditer(text, start, end):
        if match.group("num") and (match.group("pre") or match.group("post")):
            # A full stop, hyphen or space after the amount ends the sentence, not the amount ("$3.3bn.").
            stop = match.end() - (len(match.group(0)) - len(match.group(0).rstrip(".- ")) if not match.group("post") else 0)
            money = parse_money(text, match.start(), stop)
            if money is not None and money.currency:
                found.append(money)
    return found


def drop_restatements(text: str, monies: list[Money]) -> list[Money]:
    """The amounts (in text order) less those in brackets opened right after another amount: a
    conversion or a rate restates the amount ("40 billion yen (about $270 million)" is one amount)."""
    kept: list[Money] = []
    for money in monies:
        opened = text.rfind("(", kept[-1].end, money.start) if kept else -1
        if opened < 0 or text[kept[-1].end : opened].strip(" ,") or ")" in text[opened : money.start]:
            kept.append(money)
    return kept


# --- the amounts of a sentence, and what its parse says of each ------------------------------------
# Whether an amount is a deal's (no cost, size or running total) and whether a verb of giving or
# getting makes it a financing (rules/deals.yaml).

COPULAS = {"is", "was", "are", "were", "be", "been", "stands", "stood"}


def find_money(sent: Span) -> list[Money]:
    """Amounts with a currency: the money patterns' matches, plus NER's MONEY spans they missed."""
    doc = sent.doc
    found = find_amounts(doc_text(doc), sent.start_char, sent.end_char)
    # NER adds amounts the patterns missed; where both saw one, the patterns' reading (with its
    # scale word: "US$553m", not "US$553") wins.
    for ent in sentence_ents(sent):
        money = parse_money(doc_text(doc), ent.start_char, ent.end_char) if ent.label_ == "MONEY" else None
        if money and money.currency and not any(m.start < money.end and money.start < m.end for m in found):
            found.append(money)
    return drop_restatements(doc_text(doc), sorted(found, key=lambda m: m.start))


def money_token(sent: Span, money: Money) -> Token:
    """The last token of the amount: the number or scale word the phrase hangs on."""
    inside = [t for t in sent if money.start <= t.idx < money.end and not (t.is_punct or t.is_space)]
    return inside[-1] if inside else sent.root


def not_a_deal(sent: Span, money: Money) -> bool:
    """An amount that measures a need, a cost, a size or a running total ("a funding requirement of
    $3bn", "the $7bn project", "bringing total disbursements to $3.3bn")."""
    heads, verbs = set(load_rules("deals")["not_deal_heads"]), set(load_rules("deals")["not_deal_verbs"])
    after = doc_text(sent.doc)[money.end : sent.end_char].lower()
    if any(re.match(rf"\W*{re.escape(w)}\b", after) for w in load_rules("deals")["running_total_markers"]):
        return True  # "US$2.2bn so far", "$3bn to date": a running total
    token = money_token(sent, money)
    if _to_a_level(sent, money, token):
        return True
    for _ in range(3):
        if token.head is token:
            return False
        token = token.head
        if token.pos_ in {"NOUN", "PROPN"}:
            return token.lower_ in heads
        if token.lower_ in COPULAS:  # "the plant's expected cost is $2bn"
            return any(c.dep_ in {"nsubj", "nsubjpass"} and c.lower_ in heads for c in token.children)
        if token.pos_ != "ADP":
            return token.lower_ in verbs
    return False


def _governing_verb(sent: Span, money: Money) -> Token | None:
    """The verb the amount is the object of, through prepositions ("approved USD 3m", "will get EUR 2m")
    and coordinations ("secured $2m from X and $3m from Y": the second amount shares the verb)."""
    token = money_token(sent, money)
    for _ in range(4):
        if token.head is token:
            return None
        coordinated = token.dep_ == "conj"
        token = token.head
        if token.pos_ in {"VERB", "AUX"}:
            return token
        if token.pos_ != "ADP" and not coordinated and token.dep_ != "conj":
            return None
    return None


def verb_type(sent: Span, money: Money, verbs: str, deal_type: str) -> str | None:
    """`deal_type` when a verb of rules/deals.yaml[verbs] takes the amount: a verb of giving, getting
    or approving makes a financing with no deal word ("the board approved USD 45 million for ...",
    "the country will receive EUR 70 million"); a verb of buying a purchase."""
    verb = _governing_verb(sent, money)
    return deal_type if verb is not None and verb.lower_ in load_rules("deals")[verbs] else None


def committed_future(sent: Span, money: Money) -> bool:
    """A verb of giving or funding in "will" or "shall" takes the amount ("the bank will provide a
    $40m loan", "the project will be funded with a 9-billion-yen loan"): a stated commitment."""
    rules = load_rules("deals")
    verb = next((a for a in money_token(sent, money).ancestors if a.pos_ in {"VERB", "AUX"}), None)
    if verb is None or verb.lower_ not in {*rules["transfer_verbs"], *rules["funding_verbs"]}:
        return False
    return any(c.dep_ in {"aux", "auxpass"} and c.lower_ in {"will", "shall", "'ll"} for c in verb.children)


def _to_a_level(sent: Span, money: Money, token: Token) -> bool:
    """A change to or by a level ("brings the total disbursed to $2.2bn", "lifting its lending to $12bn
    by 2031", "reserves fell by $2bn"): "to" or "by" before the amount, a verb of change above it."""
    before = doc_text(sent.doc)[sent.start_char : money.start].lower().rstrip()
    for qualifier in sorted(load_rules("money")["qualifiers"], key=len, reverse=True):
        if before.endswith(" " + qualifier) and qualifier != "up to":  # "to about $3bn"; "up to $3bn" is a cap
            before = before[: -len(qualifier)].rstrip()
            break
    if not re.search(r"\b(to|by)$", before) or re.search(r"\bup to$", before):
        return False
    verbs = set(load_rules("deals")["level_verbs"])
    return any(a.lower_ in verbs for a in token.ancestors)


def to_usd(amount: float | None, currency: str | None) -> tuple[float | None, str | None]:
    """(amount in US dollars, FX table version) from rules/fx.yaml; (None, None) when either is unknown."""
    table = load_rules("fx")
    rate = table["rates"].get(currency or "")
    if amount is None or rate is None:
        return None, None
    return round(amount * rate, 2), str(table["version"])
