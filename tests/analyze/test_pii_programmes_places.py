"""A brand's own loyalty programme, lower-case postcodes, Spanish and Italian streets, addresses in capitals (English,
German, Spanish, Italian) and vowel-heavy locators: each found where the post says what it is, and never in the prose
around it."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from wakeful.analyze import Analyzer
from wakeful.analyze.language import LinguaLanguageDetector
from wakeful.core.settings import BrandConfig, Settings

from tests.analyze.helpers import make_post
from tests.analyze.pii_cases import assert_redacted, assert_untouched, near_misses, redactions

CLUB = ("Aurora Club", "Prämienclub Nord", "Sky & Sea")


@redactions(
    ("my Aurora Club number is 12345678", "my Aurora Club number is [loyalty]"),
    ("Aurora Club 55512345, bag still missing", "Aurora Club [loyalty], bag still missing"),
    ("#AuroraClub: 55512345", "#AuroraClub: [loyalty]"),
    ("aurora-club no. 7081 4101 2345", "aurora-club no. [loyalty]"),
    ("Pramienclub Nord Nr. 992000123", "Pramienclub Nord Nr. [loyalty]"),  # written without the accent
    ("Sky and Sea card AB12345C", "Sky and Sea card [loyalty]"),
    ("Sky &amp; Sea 12345678", "Sky &amp; Sea [loyalty]"),
)
def test_a_brands_own_programme_is_read_like_the_known_ones(text: str, redacted: str) -> None:
    assert_redacted(text, redacted, CLUB)
    assert_untouched(text, "loyalty")  # without the brand's names none of these is a known programme


@near_misses(
    "Aurora Club 2015 changes are a joke",  # a year
    "Aurora Club 50,000 miles for a one-way",  # a balance
    "Aurora Club 60000 miles gone",
    "my Aurora Club 2 for 1 voucher",
    "Aurora Club AU1234 was late again",  # a flight number
    "12345678 Aurora Club",  # the number comes before the programme
    "Aurora Clubhouse 12345678",  # another word
    "Aurora Club 069 12345678",  # a phone line, left to the phone test
)
def test_a_brands_programme_leaves_years_balances_and_flights(text: str) -> None:
    assert_untouched(text, "loyalty", CLUB)


@pytest.fixture(scope="module")
def clubbed(detector: LinguaLanguageDetector) -> Analyzer:
    brands = [
        BrandConfig(key="aurora", name="Aurora Airways", handles=["AuroraAirways"], loyalty_programmes=["Aurora Club"]),
        BrandConfig(key="nordwind", name="Nordwind Bahn", handles=["NordwindBahn"]),
    ]
    return Analyzer(brands, detector=detector)


def test_the_analyzer_reads_a_brands_programme_in_that_brands_posts(clubbed: Analyzer) -> None:
    assert "loyalty" in clubbed.analyze(make_post("@AuroraAirways my Aurora Club 55512345, bag lost")).pii
    assert "loyalty" not in clubbed.analyze(make_post("@NordwindBahn my Aurora Club 55512345, bag lost")).pii


def test_a_brand_edited_to_name_its_programme_is_read_from_the_next_post(detector: LinguaLanguageDetector) -> None:
    post = make_post("@NordwindBahn meine Nordwind Bonus 55512345 fehlt")
    analyzer = Analyzer([BrandConfig(key="nordwind", name="Nordwind Bahn", handles=["NordwindBahn"])],
                        detector=detector)
    assert "loyalty" not in analyzer.analyze(post).pii
    analyzer.set_brands([BrandConfig(key="nordwind", name="Nordwind Bahn", handles=["NordwindBahn"],
                                     loyalty_programmes=["Nordwind Bonus"])])
    assert "loyalty" in analyzer.analyze(post).pii


def test_programme_names_are_checked_and_looked_up_by_brand() -> None:
    config = BrandConfig(key="aurora", name="Aurora", loyalty_programmes=["  Aurora   Club ", "Aurora Club", ""])
    assert config.loyalty_programmes == ["Aurora Club"]
    with pytest.raises(ValidationError, match="at least three letters"):
        BrandConfig(key="aurora", name="Aurora", loyalty_programmes=["AA"])
    settings = Settings(brands=[config])
    assert settings.loyalty_programmes("aurora") == ["Aurora Club"]
    assert settings.loyalty_programmes("unknown") == []


@redactions(
    ("my postcode is sw1a 1aa", "my postcode is [address]"),
    ("Postcode: m1 1ae, ring me", "Postcode: [address], ring me"),
    ("post code Sw1a1aa", "post code [address]"),
    ("address is ec1a 1bb thanks", "address is [address] thanks"),
    ("12 high street, london sw1a 1aa", "[address]"),  # after a street: lower-case names count then
)
def test_redacts_a_lower_case_postcode_where_the_post_says_so(text: str, redacted: str) -> None:
    assert_redacted(text, redacted)


@near_misses(
    "sw1a 1aa",  # the shape alone: no word says it is a postcode
    "I submitted refund request b4 1st flight",  # real (airline tweets): 'B4' is a postcode area
    "see you m4 3rd floor",
    "postcode is qq1 1aa",  # no such area
    "postcode 2 hours away, e1 1st",  # a number between: the word was about something else
)
def test_leaves_postcode_shapes_without_a_word_for_them(text: str) -> None:
    assert_untouched(text, "address")


@redactions(
    ("vivo en Calle Mayor 5, 3º", "vivo en [address], 3º"),
    ("C/ Alcalá, 23", "[address]"),
    ("Avda. de la Constitución nº 12", "[address]"),
    ("Paseo de Gracia 43, 08007 Barcelona", "[address]"),
    ("Plaza Mayor, 3", "[address]"),
    ("calle mayor 5, 28013 madrid", "[address]"),  # lower case, but a postcode follows
    ("abito in via Roma 10 a Milano", "abito in [address] a Milano"),
    ("Viale Monza 12/A", "[address]"),
    ("Piazza San Marco 1", "[address]"),
    ("Corso Buenos Aires 33, 20124 Milano", "[address]"),
    ("via dell'Indipendenza 8", "[address]"),
    ("Via XX Settembre 12", "[address]"),
    ("in sede a via L. Da Vinci 5 PG", "in sede a [address] PG"),  # real (XLM-T Italian)
)
def test_redacts_a_spanish_or_italian_street_address(text: str, redacted: str) -> None:
    assert_redacted(text, redacted)


@near_misses(
    "flying via Frankfurt 3 hours late",
    "contacted you via Twitter 2 days ago",
    "Via Rail 68 was late",
    "Plaza Hotel 5 stars",
    "Camino de Santiago 2019",  # a year
    "via Roma 3 volte",
    "la plaza 3 está ocupada",  # a seat
    "un corso di inglese 3 volte",
    "En 3 dias se acaba este largo camino de 8 años",  # real (XLM-T Spanish)
    "Fonte Piazza Pulita La7",  # real (XLM-T Italian): a television programme and its channel
    "dal Senato via libera alla fiducia con 281 sì",  # real (XLM-T Italian)
)
def test_leaves_travel_counts_and_names_after_a_street_word(text: str) -> None:
    assert_untouched(text, "address")


@redactions(
    ("221B BAKER STREET", "[address]"),
    ("please deliver the bag to 14 OLD KENT ROAD tonight", "please deliver the bag to [address] tonight"),
    ("MY BAG IS LOST, SEND IT TO 221B BAKER STREET", "MY BAG IS LOST, SEND IT TO [address]"),
    ("THE CHIPOTLE ON 193 W 237TH ST, BRONX, NY 10463 IS CLOSED", "THE CHIPOTLE ON [address] IS CLOSED"),
    ("724 W. 2ND AVENUE, Milan", "[address], Milan"),
    # German, Spanish and Italian streets in capitals, as forms and labels write them
    ("bitte an HAUPTSTRASSE 12, 10115 BERLIN schicken", "bitte an [address] schicken"),
    ("mein koffer soll zur BAHNHOFSTR. 5 in Köln", "mein koffer soll zur [address] in Köln"),
    ("SCHICKT DEN KOFFER AN BAHNHOFPLATZ 3", "SCHICKT DEN KOFFER AN [address]"),
    ("mandadlo a CALLE MAYOR 5, 28013 MADRID", "mandadlo a [address]"),
    ("mandatela a VIA ROMA 10 per favore", "mandatela a [address] per favore"),
)
def test_redacts_an_address_in_capitals(text: str, redacted: str) -> None:
    assert_redacted(text, redacted)


@near_misses(
    "26. BIS 31. MAI 2015 VON ST. MALO FÜHRT AUS",  # a real post (GermEval 2017), in capitals
    "WE SAT 3 HOURS IN 2 LONG LANE HIGHWAY TRAFFIC",
    "I HAVE 2 KIDS COURT CASE TOMORROW",
    "ICH STEHE AM BAHNHOFPLATZ 3 UND NIEMAND HILFT",  # where they stand, said in capitals: no address cue
    "ABBIAMO ASPETTATO VIA ROMA 3 ORE",
    "HO SCRITTO VIA EMAIL 3 VOLTE",
)
def test_leaves_phrases_in_a_post_written_in_capitals(text: str) -> None:
    assert_untouched(text, "address")


@redactions(
    ("booking ref oaaret", "booking ref [booking-ref]"),
    ("record locator oaaret got email", "record locator [booking-ref] got email"),  # real (airline tweets)
    ("PNR: oaaret", "PNR: [booking-ref]"),
    ("conf #oeohcl", "conf #[booking-ref]"),
)
def test_redacts_a_vowel_heavy_locator_right_after_a_strong_lead(text: str, redacted: str) -> None:
    assert_redacted(text, redacted)


@near_misses(
    "my booking ref is qantas, not yours",  # after 'is' a word is likelier: only rare letter pairs count
    "my pnr is myself only",
    "record locator number please",  # real (airline tweets): a word right after a strong lead
    "booking ref please",
    "pnr: thanks",
)
def test_leaves_words_after_a_weaker_lead_and_ordinary_words_after_a_strong_one(text: str) -> None:
    assert_untouched(text, "booking-ref")
