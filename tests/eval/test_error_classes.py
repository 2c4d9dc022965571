"""The error classes of `newsflow eval` and its confidence calibration, on small made-up gold and
predicted rows (names, places and amounts invented here, countries real)."""

from __future__ import annotations

import json
import re

import pytest

from flows.eval.devset import score_devset
from flows.eval.errors import date_class, name_class, party_class
from flows.eval.render import render_report
from tests.eval.test_evaluate import article, gdeal, gevent, gold_record, one_article, pdeal, pentity, pevent, source


def classes(report, item, side):
    return sorted(e.error_class for e in report.errors if e.item == item and e.side == side)


def score(deals=(), events=(), entities=None, pred_deals=(), pred_events=(), pred_entities=()):
    gold, sources, articles = one_article(deals, events, entities)
    return score_devset(gold, sources, articles, list(pred_entities), list(pred_events), list(pred_deals))


def assert_adds_up(report):
    """Every miss and false positive has exactly one class."""
    for item, name in (("deal", "deals"), ("event", "events"), ("entity", "entities")):
        counts = getattr(report, name)
        assert len(classes(report, item, "miss")) == counts.fn
        assert len(classes(report, item, "fp")) == counts.fp


# --------------------------------------------------------------------------- deals


@pytest.mark.parametrize(
    "parties, text, expected",
    [
        (["Norway"], "Norway's fund lent it.", "party_place"),
        (["Quellport"], "The Quellport-based lender signed.", "party_based"),
        (["the lender"], "The lender signed.", "party_generic"),
        (["Ministry of Planning"], "According to the Ministry of Planning, it was signed.", "party_ministry"),
        (["Orvane Partners"], "Orvane Partners signed.", "party_other"),
    ],
)
def test_same_amount_wrong_party(parties, text, expected):
    r = score(deals=[gdeal(["Kestrel Bank", "Lumeria Power"], 5e8)], pred_deals=[pdeal("d_1", ["a_1"], parties, 5e8, text)])
    assert classes(r, "deal", "miss") == classes(r, "deal", "fp") == [expected]
    assert_adds_up(r)


def test_party_class_too_few_named():
    assert party_class(["Kestrel Bank"], ["Kestrel Bank", "Lumeria Power"]) == "party_missing"


@pytest.mark.parametrize("predicted, expected", [(None, "amount_form"), (5e5, "amount_form"), (4.2e8, "amount_figure")])
def test_same_parties_wrong_amount(predicted, expected):
    r = score(deals=[gdeal(["Kestrel Bank", "Lumeria Power"], 5e8)], pred_deals=[pdeal("d_1", ["a_1"], ["Kestrel Bank"], predicted)])
    assert classes(r, "deal", "miss") == classes(r, "deal", "fp") == [expected]


def test_total_and_parts():
    total = gdeal(["Kestrel Bank", "Lumeria Power"], 9e8)
    part = dict(gdeal(["Kestrel Bank", "Lumeria Power"], 3e8), part_of=0)
    r = score(deals=[total, part], pred_deals=[pdeal("d_1", ["a_1"], ["Kestrel Bank"], 6e8)])
    assert classes(r, "deal", "miss") == ["missed_amount", "total_parts"]
    assert classes(r, "deal", "fp") == ["total_parts"]
    assert_adds_up(r)


def test_lone_deal_rows_and_gold():
    golds = [gdeal(["Kestrel Bank", "Lumeria Power"], 5e8), gdeal(["Arvo Trust", "Zembla"])]
    preds = [
        pdeal("d_1", ["a_1"], ["Kestrel Bank"], 5e8),  # finds the first
        pdeal("d_2", ["a_1"], ["Kestrel Bank", "Lumeria Power"], 5e8),  # the same deal again
        pdeal("d_3", ["a_1"], ["Pellar Group"], 7e6),  # an amount no gold deal has
    ]
    r = score(deals=golds, pred_deals=preds)
    assert classes(r, "deal", "fp") == ["amount_not_deal", "duplicate"]
    assert classes(r, "deal", "miss") == ["missed_no_amount"]
    assert_adds_up(r)


def test_one_row_for_two_gold_deals():
    golds = [gdeal(["Arvo Trust", "Zembla"]), gdeal(["Arvo Trust", "Zembla"])]
    r = score(deals=golds, pred_deals=[pdeal("d_1", ["a_1"], ["Arvo Trust", "Zembla"])])
    assert classes(r, "deal", "miss") == ["merged"]
    assert r.deals.fn == 1


def test_matched_deal_wrong_fields_are_not_misses():
    gold = dict(gdeal(["Kestrel Bank"], 5e8), status="planned", deal_type="loan")
    pred = dict(pdeal("d_1", ["a_1"], ["Kestrel Bank"], 5e8), status="signed", deal_type="loan")
    r = score(deals=[gold], pred_deals=[pred])
    assert (r.deals.tp, r.deals.fp, r.deals.fn) == (1, 0, 0)
    assert [(e.side, e.error_class) for e in r.errors] == [("field", "status")]
    assert "gold planned, predicted signed" in r.errors[0].detail


# --------------------------------------------------------------------------- events


def test_event_classes():
    golds = [
        gevent("meeting", ["Mara Vell", "Tomas Ekke"]),  # found as a statement: a type mismatch
        dict(gevent("statement", ["Ilse Varga"]), evidence="Ilse Varga said the talks went well."),
        gevent("phone_call", ["Odo Brandt", "Rhea Sand"]),  # nothing found
    ]
    speaker = dict(pevent("v_2", ["a_1"], "statement", ["Daily Courier"]), evidence=[{"article_id": "a_1", "text": "Ilse Varga said the talks went well, the Daily Courier reported."}])
    preds = [
        pevent("v_1", ["a_1"], "statement", ["Mara Vell", "Tomas Ekke"]),
        speaker,
        dict(pevent("v_3", ["a_1"], "financing_approved", ["Arvo Trust"]), extractor="deal:deals.yaml:loan"),
    ]
    r = score(events=golds, pred_events=preds)
    assert classes(r, "event", "miss") == ["consult_form", "event_type", "statement_speaker"]
    assert classes(r, "event", "fp") == ["event_type", "from_deal", "statement_speaker"]
    assert_adds_up(r)


@pytest.mark.parametrize(
    "gold, predicted, expected",
    [
        ("2030-04-01", "2030-01-01", "date_month"),
        ("2030-04-12", "2029-04-12", "date_year"),
        (None, "2030-04-12", "date_invented"),
        ("2030-04-12", None, "date_missing"),
        ("2030-04-12", "2030-04-13", "date_other"),
    ],
)
def test_date_class(gold, predicted, expected):
    assert date_class(gold, predicted) == expected


def test_matched_event_wrong_date_is_a_field_error():
    r = score(events=[gevent("meeting", ["Mara Vell", "Tomas Ekke"], "2030-03-01")],
              pred_events=[pevent("v_1", ["a_1"], "meeting", ["Mara Vell", "Tomas Ekke"], "2030-01-01")])
    assert (r.events.tp, r.events.fn) == (1, 0)
    assert [(e.side, e.error_class) for e in r.errors] == [("field", "date_month")]


# --------------------------------------------------------------------------- entities


@pytest.mark.parametrize(
    "gold, predicted, expected",
    [
        ("Selim Yağcıoğlu", "Selim Ya", "name_diacritics"),
        ("Faris bin Hamdan", "Faris", "name_particles"),
        ("Nadia O'Keefe", "Keefe", "name_particles"),
        ("Corvin Ashdale", "Ashdale", "name_split"),
        ("Turkey", "Türkiye", "world_gpe"),
        ("Corvin Ashdale", "Pella Rune", None),
    ],
)
def test_name_class(gold, predicted, expected):
    assert name_class(gold, predicted) == expected


def test_entity_classes():
    entities = {"PERSON": ["Corvin Ashdale"], "ORG": ["Tessaly Holdings"], "GPE": ["Burkina Faso", "Vellmark"]}
    preds = [
        pentity("Ashdale", "PERSON", ["a_1"]),  # cut
        pentity("Tessaly Holdings", "PERSON", ["a_1"]),  # the right name, the wrong type
        pentity("Quorra Lantern", "ORG", ["a_1"]),  # nothing near
    ]
    r = score(entities=entities, pred_entities=preds)
    assert classes(r, "entity", "miss") == ["entity_label", "missed", "name_split", "world_gpe"]
    assert classes(r, "entity", "fp") == ["entity_label", "extra", "name_split"]
    assert_adds_up(r)


# --------------------------------------------------------------------------- stories, table, calibration


def test_story_classes():
    gold = [gold_record("x001.txt"), gold_record("x002.txt"), gold_record("x003.txt")]
    sources = [source("x001.txt"), source("x002.txt", duplicate_of="x001.txt"), source("x003.txt")]
    articles = [article("a_1", "x001.txt", "s_1"), article("a_2", "x002.txt", "s_2"), article("a_3", "x003.txt", "s_1")]
    r = score_devset(gold, sources, articles, [], [], [])
    assert classes(r, "story", "miss") == ["story_missed"]
    assert classes(r, "story", "fp") == ["false_merge"]


def test_table_rendered_and_in_json():
    r = score(
        deals=[gdeal(["Kestrel Bank", "Lumeria Power"], 5e8), gdeal(["Arvo Trust", "Zembla"], 2e6)],
        pred_deals=[dict(pdeal("d_1", ["a_1"], ["Kestrel Bank"], 5e8), confidence=0.9),
                    dict(pdeal("d_2", ["a_1"], ["Pellar Group"], 7e6), confidence=0.85),
                    dict(pdeal("d_3", ["a_1"], ["Pellar Group"], 8e6), confidence=0.3)],
    )
    text = render_report(r)
    table = text[text.index("Errors by class"):]
    assert "amount that is not a deal" in table
    total = next(line for line in table.splitlines() if line.strip().startswith("total")).split()
    assert total[1:3] == [str(r.deals.fn), str(r.deals.fp)] == ["1", "2"]
    data = json.loads(json.dumps(r.to_dict()))
    assert data["error_table"]["amount_not_deal"] == {"deal fp": 2}
    assert {e["class"] for e in data["errors"]} == {"amount_not_deal", "missed_amount"}
    bands = data["calibration"]["deals"]
    assert bands[">=0.8"] == {"rows": 2, "right": 1, "share": 0.5}
    assert bands["<0.5"] == {"rows": 1, "right": 0, "share": 0.0}
    assert bands["0.5-0.8"]["rows"] == 0
    assert data["calibration"]["all"][">=0.8"] == bands[">=0.8"]  # no events here
    assert re.search(r">=0.8 +1/2 +\(50%\)", text)
