"""Tests of survey_app.pii: masking personnummer, samordningsnummer, phone numbers and e-mail addresses."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey_app.pii import is_valid_identity_number, luhn_check_digit, mask_personal_data


def luhn_valid(digits: str) -> bool:
    """Independent Luhn check over the whole number (rightmost digit is the check digit)."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def with_check_digit(nine: str) -> str:
    """The ten-digit number YYMMDDNNN + C whose Luhn check passes (search, not the module's formula)."""
    for check in "0123456789":
        if luhn_valid(nine + check):
            return nine + check
    raise AssertionError("unreachable: exactly one check digit passes")


def bad_check_digit(nine: str) -> str:
    good = with_check_digit(nine)
    return nine + str((int(good[-1]) + 1) % 10)


def test_independent_luhn_agrees_with_known_numbers() -> None:
    # Skatteverket's example numbers and the classic test number.
    assert luhn_valid("8112189876")
    assert luhn_valid("1212121212")
    assert not luhn_valid("8112189875")
    assert luhn_check_digit("811218987") == 6


@pytest.mark.parametrize("nine", ["811218987", "640823323", "900101123", "000229123", "121212121"])
def test_module_check_digit_matches_independent_rule(nine: str) -> None:
    assert str(luhn_check_digit(nine)) == with_check_digit(nine)[-1]


PNR_10 = with_check_digit("811218987")          # 811218-9876
PNR_LEAP = with_check_digit("000229123")        # 29 February 2000
SAMORDNING = with_check_digit("701063123")      # day 63 = 3rd, samordningsnummer


@pytest.mark.parametrize(
    "text",
    [
        f"{PNR_10[:6]}-{PNR_10[6:]}",
        PNR_10,
        f"{PNR_10[:6]}+{PNR_10[6:]}",
        f"{PNR_10[:6]} {PNR_10[6:]}",
        f"19{PNR_10[:6]}-{PNR_10[6:]}",
        f"19{PNR_10}",
        f"20{PNR_LEAP}",
        f"{PNR_LEAP[:6]}-{PNR_LEAP[6:]}",
    ],
)
def test_personnummer_in_every_format_is_masked(text: str) -> None:
    assert mask_personal_data(f"Mitt nummer är {text}, tack.") == "Mitt nummer är [personnummer], tack."
    assert is_valid_identity_number(text)


@pytest.mark.parametrize("text", [f"{SAMORDNING[:6]}-{SAMORDNING[6:]}", SAMORDNING, f"19{SAMORDNING}"])
def test_samordningsnummer_is_masked(text: str) -> None:
    assert mask_personal_data(f"nr {text}") == "nr [samordningsnummer]"


@pytest.mark.parametrize(
    "text",
    [
        bad_check_digit("811218987"),                 # wrong check digit
        f"19{bad_check_digit('811218987')}",
        with_check_digit("811318987"),                # month 13
        with_check_digit("810230123"),                # 30 February
        with_check_digit("010229123"),                # 29 February 1901/2001: no leap year
        with_check_digit("811200987"),                # day 0
        with_check_digit("811292123"),                # day 92 = 32 as samordningsnummer
        f"17{with_check_digit('811218987')}",         # century 17
    ],
)
def test_invalid_identity_numbers_are_not_masked_as_such(text: str) -> None:
    assert not is_valid_identity_number(text)
    assert "[personnummer]" not in mask_personal_data(text)
    assert "[samordningsnummer]" not in mask_personal_data(text)


def test_identity_number_inside_a_longer_number_is_left_alone() -> None:
    assert mask_personal_data(f"1{PNR_10}1") == f"1{PNR_10}1"


@pytest.mark.parametrize(
    "phone",
    [
        "070-123 45 67",
        "0701234567",
        "070 123 45 67",
        "070-1234567",
        "073-987 65 43",
        "08-123 456 78",
        "08-12 34 56",
        "031-123 45 67",
        "0123-456 78",
        "(08) 123 45 67",
        "+46 70 123 45 67",
        "+46701234567",
        "+46 (0)70-123 45 67",
        "0046 70 123 45 67",
        "+46 8 123 456 78",
        "070 - 123 45 67",
        "070\u00a0123\u00a045\u00a067",
        "08/123 45 67",
        "020-50 50 50",
    ],
)
def test_swedish_phone_numbers_are_masked(phone: str) -> None:
    assert mask_personal_data(f"Ring mig på {phone}!") == "Ring mig på [telefonnummer]!"


@pytest.mark.parametrize(
    "email",
    ["anna.svensson@example.se", "a+tag@sub.example.com", "kalle_k-99@kommun.se", "åsa@exempel.se"],
)
def test_email_addresses_are_masked(email: str) -> None:
    assert mask_personal_data(f"Mejla {email}.") == "Mejla [e-post]."


@pytest.mark.parametrize(
    "text",
    [
        "Det hände 2024 och 2025.",
        "Det kostade 1 250 000 kr, ungefär 12 500 kr per år.",
        "Postnummer 123 45 och 752 36 Uppsala.",
        "Ring 112 eller 114 14, BRIS 116 111, Brottsofferjouren 116 006.",
        "Mötet är 2026-03-02 kl. 18.00 i rum 4.",
        "Datum 01-02-2024, 01/02/2024 och 01 - 02 - 2024.",
        "Öppet kl 08 00-09 00.",
        "Organisationsnummer 556036-0793.",
        "Vi var 25 personer, 3 av 10 kände sig otrygga.",
        "Busslinje 4, hållplats 12, 0,5 km bort.",
        "E-post: saknas @ här, och a@b utan domän.",
        "",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert mask_personal_data(text) == text


def test_mixed_text() -> None:
    text = (f"Jag heter X, pnr 19{PNR_10[:6]}-{PNR_10[6:]}, tel 070-123 45 67, mejl x@y.se. "
            "Otryggt vid torget.")
    assert mask_personal_data(text) == (
        "Jag heter X, pnr [personnummer], tel [telefonnummer], mejl [e-post]. Otryggt vid torget."
    )


@pytest.mark.parametrize(
    "hostile",
    [
        "a" * 10_000,
        "0" * 10_000,
        "1 " * 5_000,
        "0-" * 5_000,
        "a." * 5_000 + "@",
        "a@" * 5_000,
        "a@b." * 2_500,
        "+46 " * 2_500,
        "-" * 10_000,
        ("070-123 45 67 " * 800)[:10_000],
        "x@" + "a-" * 5_000,
        "0 1 2 3 4 5 6 7 8 9 " * 500,
        "0 - " * 2_500,
        "0\u00a0" * 5_000,
        "0 1 2 3 4 5 6 7 x " * 500,
        "1" * 10_000,
        "8112189876-" * 900,
    ],
)
def test_masking_is_fast_on_10_kb(hostile: str) -> None:
    start = time.perf_counter()
    mask_personal_data(hostile)
    assert time.perf_counter() - start < 0.5


_alphabet = st.sampled_from(list("0123456789-+ ()@._aåx[]\n")) | st.characters()


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=_alphabet, max_size=80))
def test_masking_never_raises_and_is_idempotent(text: str) -> None:
    once = mask_personal_data(text)
    assert isinstance(once, str)
    assert mask_personal_data(once) == once


@settings(max_examples=200, deadline=None)
@given(
    yy=st.integers(0, 99), mm=st.integers(1, 12), dd=st.integers(1, 28), serial=st.integers(0, 999),
    coordination=st.booleans(), separator=st.sampled_from(["-", "+", ""]),
    prefix=st.text(alphabet="abc ,.", max_size=5), suffix=st.text(alphabet="abc ,.", max_size=5),
)
def test_every_valid_identity_number_is_masked(yy: int, mm: int, dd: int, serial: int, coordination: bool,
                                               separator: str, prefix: str, suffix: str) -> None:
    day = dd + 60 if coordination else dd
    number = with_check_digit(f"{yy:02d}{mm:02d}{day:02d}{serial:03d}")
    text = f"{prefix} {number[:6]}{separator}{number[6:]} {suffix}"
    token = "[samordningsnummer]" if coordination else "[personnummer]"
    assert mask_personal_data(text) == f"{prefix} {token} {suffix}"


ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize("script", [ARABIC_INDIC, PERSIAN, FULL_WIDTH], ids=["arabic-indic", "persian", "full-width"])
def test_digits_of_other_scripts_do_not_slip_past(script: dict[int, str]) -> None:
    """Residents answering in Arabic or Persian type these digits; found in review, masked since."""
    personnummer = with_check_digit("811228987")
    identity = f"19{personnummer[:6]}-{personnummer[6:]}"
    text = f"Ring {'0701234567'.translate(script)}, pnr {identity.translate(script)}"
    assert mask_personal_data(text) == "Ring [telefonnummer], pnr [personnummer]"


@pytest.mark.parametrize("invisible", ["\u200b", "\u00ad", "\u2060", "\ufeff", "\u200e"])
def test_invisible_characters_between_digits_do_not_slip_past(invisible: str) -> None:
    assert mask_personal_data(f"070{invisible}123{invisible}45 67") == "[telefonnummer]"


def test_en_dash_separates_a_personnummer_too() -> None:
    personnummer = with_check_digit("811228987")
    assert mask_personal_data(f"{personnummer[:6]}\u2013{personnummer[6:]}") == "[personnummer]"


def test_joiners_inside_words_of_other_scripts_are_kept() -> None:
    text = "می\u200cخواهم ساعت 20 بیرون بروم"  # Persian uses the zero-width non-joiner inside words
    assert mask_personal_data(text) == text
