"""Facts: template notices of different news disagree on their figures or names; a rewrite does not."""

from __future__ import annotations

import pytest

from searchkit.text.facts import contradiction, facts
from searchkit.text.shingles import NEAR_DUPLICATE, resemblance, sketch

CONTRACT = ("{company} is being awarded a {amount} mln dlr Navy contract for work on two guided missile "
            "destroyers, the Defense Department said.\n"
            "It said the work, part of a multi-year procurement program, is expected to be completed by "
            "June 1989.")
LITTON = ("LITTON <LIT> UNIT GETS 41.2 MLN DLR NAVY CONTRACT",
          CONTRACT.format(company="Litton Industries Inc's Ingalls Shipbuilding division", amount="41.2"))
RAYTHEON = ("RAYTHEON <RTN> GETS 38.7 MLN DLR NAVY CONTRACT",
            CONTRACT.format(company="Raytheon Co's Missile Systems division", amount="38.7"))
COPPER = ("Magma Copper Co, a subsidiary of Newmont Mining Corp, said it is {verb} its copper cathode price "
          "by {by} cent to {to} cents a lb, effective immediately.")
PAYOUT = ("Mthly div 7.1 cts vs 7.1 cts prior\nPay March 31\nRecord March 16\n"
          "NOTE: Franklin {fund} Tax-Free Income Fund.")
BALANCES = ("Treasury balances at the Federal Reserve {moved} on {day} to {fed} billion dlrs from {before} "
            "billion dlrs the previous business day, the Treasury said in its latest budget statement.\n"
            "Balances in tax and loan note accounts {moved2} to {tax} billion dlrs from {tax_before} billion "
            "dlrs on the previous business day.")


def alike(left: tuple[str, str], right: tuple[str, str]) -> bool:
    """Whether the texts alone make two notices one story (so the facts are what tells them apart)."""
    return resemblance(sketch("\n".join(left)), sketch("\n".join(right))) >= NEAR_DUPLICATE


def verdict(left: tuple[str, str], right: tuple[str, str]) -> str | None:
    assert alike(left, right)
    found = contradiction(facts(*left), facts(*right))
    assert contradiction(facts(*right), facts(*left)) == found  # the same whichever comes first
    return found


def test_two_companies_contracts_in_one_template_are_different_news():
    assert verdict(LITTON, RAYTHEON) is not None


def test_a_corrected_figure_is_the_same_story():
    corrected = ("CORRECTED - LITTON <LIT> UNIT GETS 42.1 MLN DLR NAVY CONTRACT",
                 LITTON[1].replace("41.2", "42.1"))
    assert verdict(LITTON, corrected) is None


def test_an_update_with_a_new_lead_and_headline_is_the_same_story():
    update = ("UPDATE 1-LITTON WINS NAVY DESTROYER WORK",
              "Litton Industries Inc said its Ingalls unit won work on two Arleigh Burke destroyers worth "
              "41.2 mln dlrs, its third such award this year, and expects 1,200 new jobs at Pascagoula.\n"
              + LITTON[1])
    assert verdict(LITTON, update) is None


def test_a_misspelt_name_corrected_is_the_same_story():
    typo = ("FIELDCOR <FICR.O> TO ADD TO LOAN LOSSES",
            "Fieldcor Inc said it will add 25 mln dlrs to its loan loss reserve in the first quarter.")
    fixed = ("CORRECTED-FIDELCOR <FICR.O> TO ADD TO LOAN LOSSES",
             "Fidelcor Inc said it will add 25 mln dlrs to its loan loss reserve in the first quarter.")
    assert verdict(typo, fixed) is None


def test_a_price_raised_then_lowered_is_two_stories():
    raised = ("MAGMA RAISES COPPER PRICE 0.50 CT TO 66.00 CTS",
              COPPER.format(verb="raising", by="0.50", to="66.00"))
    lowered = ("MAGMA LOWERS COPPER PRICE 0.50 CT TO 65.50 CTS",
               COPPER.format(verb="lowering", by="0.50", to="65.50"))
    raised_again = ("MAGMA RAISES COPPER PRICE 0.25 CT TO 65.75 CTS",
                    COPPER.format(verb="raising", by="0.25", to="65.75"))
    assert verdict(raised, lowered) == "headline figures"  # a figure, and the word beside it
    assert verdict(raised, raised_again) == "headline figures"  # two figures
    assert verdict(lowered, lowered) is None


def test_one_figure_and_the_company_of_a_headline_differing_are_two_stories():
    # The second names the first in its body ("similar to one awarded to Litton"), so only its headline
    # tells the companies apart.
    litton = (LITTON[0].replace(" <LIT>", ""), LITTON[1])
    grumman = ("GRUMMAN UNIT GETS 41.1 MLN DLR NAVY CONTRACT",
               CONTRACT.format(company="Grumman Corp's Grumman Aerospace division, in a contract similar "
                                       "to one awarded to Litton Industries,", amount="41.1"))
    assert verdict(litton, grumman) == "headline figures"


def test_two_companies_dividend_notices_are_told_apart_by_their_codes():
    notice = "Qtly div five cts vs five cts prior\nPay July 15\nRecord June 26"
    braintree = ("BRAINTREE SAVINGS BANK <BTSB.O> SETS PAYOUT", notice)
    university = ("UNIVERSITY BANK AND TRUST CO <UBTC.O> DIVIDEND", notice)
    assert verdict(braintree, university) == "companies"
    results = "Shr 12 cts vs nine cts\nNet 410,000 vs 302,000\nRevs 3,112,000 vs 2,460,000"
    listed = ("INTERNATIONAL RESEARCH <IRDV> 1ST QTR NET", results)
    on_nasdaq = ("INT'L RESEARCH/DEVELOPMENT <IRDV.O> 1ST QTR NET", results)
    assert verdict(listed, on_nasdaq) is None  # one company's code, with its exchange or without
    options = "The American Stock Exchange said it will begin trading put and call options on the stock."
    wrong_code = ("C.O.M.B. <COQ> TO HAVE OPTIONS ON AMEX", options)
    corrected = ("CORRECTED - C.O.M.B <CMCO> TO HAVE OPTIONS ON AMEX", options)
    assert verdict(wrong_code, corrected) is None  # a corrected code: the company's name is the same


def test_funds_of_one_family_with_the_same_payout_are_different_notices():
    ohio = ("FRANKLIN OHIO TAX-FREE SETS PAYOUT", PAYOUT.format(fund="Ohio"))
    oregon = ("FRANKLIN OREGON TAX-FREE SETS PAYOUT", PAYOUT.format(fund="Oregon"))
    assert verdict(ohio, oregon) == "names"


def test_a_recurring_report_with_new_figures_is_news_each_time():
    monday = ("TREASURY BALANCES AT FED ROSE ON APRIL 6",
              BALANCES.format(moved="rose", day="April 6", fed="3.876", before="3.129", moved2="rose",
                              tax="12.149", tax_before="11.345"))
    wednesday = ("TREASURY BALANCES AT FED ROSE ON APRIL 8",  # one figure of the headline: a correction?
                 BALANCES.format(moved="rose", day="April 8", fed="4.262", before="3.876", moved2="rose",
                                 tax="13.212", tax_before="12.149"))
    assert verdict(monday, wednesday) == "body figures"  # no: most figures of the body are new


def test_results_restated_with_most_figures_kept_are_the_same_story():
    # Two figures of the table corrected (58.7 to 58.8, 107.6 to 107.7), the other figures as before.
    results = ("Shr 30 cts vs 36 cts\nNet 1,914,388 vs 1,906,095\nSales {quarter} mln vs 40.6 mln\n"
               "Six mths\nShr 47 cts vs 53 cts\nNet 2,961,718 vs 2,817,439\nSales {half} mln vs 74.9 mln\n"
               "Avg shrs 6,342,353 vs 5,342,353")
    first = ("ARBOR DRUGS INC <ARBR> 2ND QTR JAN 31 NET", results.format(quarter="58.7", half="107.6"))
    restated = ("ARBOR DRUGS INC <ARBR> 2ND QTR JAN 31 NET", results.format(quarter="58.8", half="107.7"))
    assert verdict(first, restated) is None


@pytest.mark.parametrize("mark", ["UPDATE 2-", "CORRECTED - ", "(CORRECTED) - ", "REFILE-UPDATE 1-"])
def test_an_update_mark_is_not_a_word_of_the_headline(mark):
    marked = (mark + LITTON[0].replace("41.2", "42.1"), LITTON[1].replace("41.2", "42.1"))
    assert verdict(LITTON, marked) is None


def test_texts_without_figures_or_names_agree():
    assert contradiction(facts("", ""), facts("oil prices rise", "oil prices rose today")) is None


def test_a_letter_that_folds_to_nothing_is_no_figure_and_no_name():
    odd = "\u037a"  # GREEK YPOGEGRAMMENI: a letter that folds to a space and a mark, so to no word
    left = facts(f"{odd} GETS 5 MLN", f"{odd} 5 mln {odd} Acme Corp said.")
    assert contradiction(left, facts(f"{odd} GETS 5 MLN", f"{odd} 5 mln {odd} Acme Corp said.")) is None
