"""Deal rules (rules/deals.yaml, extract/deals.py, extract/money.py) on sentences written for these tests."""

from __future__ import annotations

import pytest

from tests.extract.test_extraction_rules import extracted


def deals(body: str) -> list[dict]:
    return extracted(body)["deals"]


def amounts(body: str) -> list[float]:
    return [d["amount"] for d in deals(body) if d["amount"] is not None]


@pytest.mark.parametrize(
    "body",
    [
        "The Nordic Harbour Fund approved USD 75 million for a water project in Ghana.",
        "Senegal will receive EUR 40 million to rebuild its coastal roads.",
        "Under the programme, Peru will get $55 million for rural clinics.",
    ],
)
def test_an_amount_a_verb_of_giving_or_getting_takes_is_a_financing(body):
    found = deals(body)
    assert [d["deal_type"] for d in found] == ["financing"] and found[0]["amount"] is not None


def test_an_amount_a_verb_of_measuring_takes_is_no_deal():
    assert amounts("Residents will get 40 minutes of extra power a day, officials said.") == []
    assert amounts("Prices rose by 4 percent in May, the bank said.") == []


def test_a_cost_beside_a_loan_is_no_deal_but_the_loan_is():
    body = "The bridge is expected to cost $900 million, with the Orion Bank providing a loan of $600 million."
    assert amounts(body) == [pytest.approx(6e8)]


@pytest.mark.parametrize(
    "body",
    [
        "This brings the total support disbursed to Ghana so far to $2.1 billion, the lender said.",
        "The Coral Bank plans to raise its lending to Africa to $12 billion by 2030.",
        "The fund has financed 40 projects worth $3 billion to date.",
    ],
)
def test_a_running_total_or_a_target_level_is_no_deal(body):
    assert amounts(body) == []


def test_up_to_an_amount_is_a_cap_not_a_level():
    assert amounts("The Coral Bank agreed to lend Ghana up to $200 million for new schools.") == [pytest.approx(2e8)]


def test_the_country_of_an_official_who_signs_is_a_party():
    found = deals("Ghanaian President John Mensah and Togo's Prime Minister Ama Dodzi signed a trade agreement in Accra on Friday.")
    assert found and {"Ghana", "Togo"} <= set(found[0]["parties"])


def test_a_project_alone_is_no_party_the_lede_names_them():
    body = (
        "Ghana signed a $300 million loan agreement with the Harbour Bank on Monday. "
        "The bank also approved other credit. "
        "The Tema Port Expansion Project will be funded with a 20-billion-yen loan."
    )
    loan = next(d for d in deals(body) if d["amount"] == pytest.approx(2e10))
    assert {"Ghana", "the Harbour Bank"} & set(loan["parties"])


def test_a_bracketed_conversion_is_one_deal():
    assert amounts("Malawi signed a loan of 30 billion yen (about $200 million) with the Coral Bank.") == [pytest.approx(3e10)]


def test_signing_the_loan_agreement_after_its_amount_is_no_second_deal():
    body = (
        "Malawi and the Coral Bank agreed a $150 million loan for irrigation on Monday. "
        "Finance Secretary Jane Wanjiru and the Coral Bank's director signed the loan agreement in Lilongwe."
    )
    assert [d["amount"] for d in deals(body)] == [pytest.approx(1.5e8)]
    # With no amount before it, a signed loan between two named parties stays a deal.
    assert deals("Malawi and the Coral Bank signed a loan agreement in Lilongwe.")


LISTED = (
    "Ghana and Togo signed 9 agreements during the visit on Tuesday. "
    "Several accords were signed, including a customs agreement, an MoU on fisheries and an MoU on "
    "railways between the Ghana Railway Company and the Togo Rail Authority."
)


def test_each_deal_a_sentence_lists_is_a_deal():
    listed = [d for d in deals(LISTED) if d["extractor"].endswith(":listed")]
    assert sorted(d["deal_type"] for d in listed) == ["mou", "mou", "other"]
    # An item naming its own two parties keeps them; the others take the lede's.
    assert {"Ghana", "Togo"} <= set(listed[0]["parties"])
    assert "the Togo Rail Authority" in listed[-1]["parties"]


def test_listed_deals_stay_apart_when_resolved():
    from tests.extract.test_extraction_rules import tables_for

    rows = tables_for(LISTED)["deals"]
    assert sum(1 for r in rows if r["deal_type"] == "mou") >= 2


def test_an_amount_a_verb_of_buying_takes_is_a_purchase_not_a_financing():
    found = deals("Peru agreed to buy $500 million of patrol boats from the Baltic Shipyard, financed by a state loan.")
    assert [d["deal_type"] for d in found if d["amount"] == pytest.approx(5e8)] == ["other"]


@pytest.mark.parametrize(
    "body",
    [
        "Malawi's foreign reserves fell by $2 billion in March, the central bank said.",
        "The regional market for solar panels is worth $4 billion, the Coral Bank said in a report.",
    ],
)
def test_a_balance_change_or_a_market_size_is_no_deal(body):
    assert amounts(body) == []


def test_a_based_modifier_is_no_party():
    found = deals("The Accra-based Coral Bank approved a $60 million loan to Togo on Monday.")
    assert found and "Accra" not in found[0]["parties"]


def test_the_bank_refers_back_to_the_financier_named_before():
    body = "The Coral Bank opened an office in Lima on Monday. The bank will lend Peru $80 million for clinics."
    found = [d for d in deals(body) if d["amount"] == pytest.approx(8e7)]
    assert found and "Coral Bank" in " ".join(found[0]["parties"])


def test_a_status_the_next_sentence_gives_is_the_deals():
    body = "The Coral Bank agreed to provide Togo with a $70 million loan for roads. The loan agreement was signed in Lome on Friday."
    found = [d for d in deals(body) if d["amount"] is not None]
    assert [d["status"] for d in found] == ["signed"] and len(deals(body)) == 1


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("Ghana expects to sign a $90 million loan with the Coral Bank next month.", "planned"),
        ("The Coral Bank is in talks with Ghana over a $90 million loan.", "planned"),
        ("The $90 million solar plant loan from the Coral Bank to Ghana reached financial close on Monday.", "completed"),
    ],
)
def test_statuses(body, status):
    assert [d["status"] for d in deals(body)] == [status]


def test_an_amountless_stake_beside_a_loan_is_its_own_deal():
    from tests.extract.test_extraction_rules import tables_for

    body = (
        "The Coral Bank finalised a $90 million loan to Andes Lithium on Monday. "
        "Under the terms, the Coral Bank also received an option to take a minority equity stake in Andes Lithium."
    )
    rows = tables_for(body)["deals"]
    assert sorted(r["deal_type"] for r in rows) == ["equity", "loan"]


def test_a_list_with_no_verb_takes_the_stage_of_the_accords_the_article_counted():
    body = (
        "Ghana and Togo signed 9 agreements during the visit on Tuesday. "
        "The two leaders also discussed regional security. "
        "Key accords included a customs agreement, an MoU on fisheries and an MoU on ports."
    )
    listed = [d for d in deals(body) if d["extractor"].endswith(":listed")]
    assert len(listed) == 3 and {d["status"] for d in listed} == {"signed"}
    assert not [d for d in deals("Key accords included a customs agreement, an MoU on fisheries and an MoU on ports.") if d["extractor"].endswith(":listed")]


def test_a_verbless_fragment_continues_the_deal_of_the_sentence_before():
    body = "Norway and Malawi signed a standby loan agreement in Lilongwe on Monday, the embassy said.\n[see note 2] up to 3 billion yen."
    assert [(d["deal_type"], d["amount"]) for d in deals(body) if d["amount"]] == [("loan", pytest.approx(3e9))]


def test_a_speaker_citing_a_deal_is_no_party_when_the_clause_names_others():
    found = deals("The Ministry of Energy said the Coral Bank approved a $45 million loan for Malawi's grid.")
    assert found and "The Ministry of Energy" not in found[0]["parties"] and "the Ministry of Energy" not in found[0]["parties"]
    assert "Coral Bank" in " ".join(found[0]["parties"])


def test_entering_into_an_mou_is_agreeing_but_talks_entering_a_phase_are_not():
    assert [d["status"] for d in deals("Andes Lithium and the Coral Bank have entered into a memorandum of understanding on battery plants.")] == ["agreed"]
    assert deals("Malawi and Norway are close to a trade agreement as negotiations entered their final phase.") == []


def test_a_party_joined_to_an_amount_by_a_preposition_is_that_amounts():
    found = deals("Financing of US$310m from CBX and US$90m from AFDF will enable upgrades to the railway.")
    assert {d["amount"]: d["parties"] for d in found} == {3.1e8: ["CBX"], 9e7: ["AFDF"]}


def test_a_second_amount_joined_to_the_first_shares_its_verb_of_getting():
    body = "The Ruritanian treasury secured $30 million from the Orion Bank and $12 million from the Vesta Fund."
    assert sorted(amounts(body)) == [pytest.approx(1.2e7), pytest.approx(3e7)]


def test_names_cut_before_a_company_noun_are_one_company():
    # The model reads "Brazil" as a place and "Joao Lima" as a person.
    found = deals("Peru secured a $45 million deal from Brazil Joao Lima company for a plant.")
    assert len(found) == 1 and "Brazil Joao Lima" in found[0]["parties"] and "Brazil" not in found[0]["parties"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("The Orion Bank will provide a $40 million loan for the Vesta port.", "announced"),  # a commitment stated
        ("The Vesta port will be funded with a $40 million loan from the Orion Bank.", "announced"),
        ("The Orion Bank is expected to provide a $40 million loan for the Vesta port.", "planned"),  # a plan
        ("The Orion Bank plans to provide a $40 million loan for the Vesta port.", "planned"),
    ],
)
def test_a_verb_of_giving_in_the_plain_future_is_a_commitment_not_a_plan(body, status):
    assert [d["status"] for d in deals(body)] == [status]


def test_a_deal_the_parties_agreed_is_recorded_as_agreed():
    # The codebook's "agreed" (concluded, not yet signed), as the seeds' analyst codes it.
    found = deals("Ruritania and the Orion Bank agreed a $40 million loan for the Vesta port on Monday.")
    assert [d["status"] for d in found] == ["agreed"]


def test_the_noun_an_amount_modifies_names_its_type_before_a_verb_nearer_to_it():
    found = deals("The Orion Bank agreed to provide a $40 million subordinated loan to Ruritania.")
    assert [d["deal_type"] for d in found] == ["loan"]


def test_an_organisations_name_is_no_sector_cue():
    # "Export-Import" in a lender's name would make a mine's financing a trade deal.
    body = "The Export-Import Bank of Ruritania approved a $300 million loan for the Kestrel mine in Zembla."
    assert [d["sector"] for d in deals(body)] == ["mining"]
