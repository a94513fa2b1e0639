"""Tests of survey_app.pii, the review's finding F10: more spellings of identity numbers, phones and e-mail addresses
masked; dates, opening hours and codes left alone; still linear in the text's length."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey_app.pii import is_valid_identity_number, mask_personal_data
from tests.test_pii import PNR_10, SAMORDNING, bad_check_digit, with_check_digit

# --- Review finding F10: more spellings masked, dates, opening hours and codes left alone, still linear. ---

PNR_12 = f"19{PNR_10}"                          # 19811218-9876
SAMORDNING_12 = f"19{SAMORDNING}"               # 19701063-xxxx


@pytest.mark.parametrize(
    ("text", "token"),
    [
        (f"{PNR_10[:6]}.{PNR_10[6:]}", "[personnummer]"),
        (f"{PNR_10[:6]}/{PNR_10[6:]}", "[personnummer]"),
        (f"{PNR_10[:6]}_{PNR_10[6:]}", "[personnummer]"),
        (f"{PNR_10[:6]} - {PNR_10[6:]}", "[personnummer]"),
        (f"{PNR_10[:6]} \u2013 {PNR_10[6:]}", "[personnummer]"),
        (f"{PNR_12[:8]}.{PNR_12[8:]}", "[personnummer]"),
        (f"{PNR_12[:8]} - {PNR_12[8:]}", "[personnummer]"),
        (f"{PNR_12[:4]}-{PNR_12[4:6]}-{PNR_12[6:8]}-{PNR_12[8:]}", "[personnummer]"),
        (f"{PNR_12[:4]}-{PNR_12[4:6]}-{PNR_12[6:8]} - {PNR_12[8:]}", "[personnummer]"),
        (f"{PNR_12[:4]} {PNR_12[4:6]} {PNR_12[6:8]} {PNR_12[8:]}", "[personnummer]"),
        (f"{PNR_12[:4]}.{PNR_12[4:6]}.{PNR_12[6:8]}.{PNR_12[8:]}", "[personnummer]"),
        (f"{PNR_12[:4]}/{PNR_12[4:6]}/{PNR_12[6:8]}-{PNR_12[8:]}", "[personnummer]"),
        (f"{SAMORDNING[:6]}.{SAMORDNING[6:]}", "[samordningsnummer]"),
        (f"{SAMORDNING_12[:4]}-{SAMORDNING_12[4:6]}-{SAMORDNING_12[6:8]}-{SAMORDNING_12[8:]}", "[samordningsnummer]"),
    ],
)
def test_identity_numbers_with_other_separators_are_masked(text: str, token: str) -> None:
    assert mask_personal_data(f"Anna Svensson {text} bor här.") == f"Anna Svensson {token} bor här."
    assert is_valid_identity_number(text)


def test_twelve_digits_with_a_space_before_the_serial_stay_masked() -> None:
    assert mask_personal_data(f"pnr {PNR_12[:8]} {PNR_12[8:]}.") == "pnr [personnummer]."


BAD_12 = f"19{bad_check_digit('811218987')}"


@pytest.mark.parametrize(
    "text",
    [
        f"{BAD_12[:4]}-{BAD_12[4:6]}-{BAD_12[6:8]}-{BAD_12[8:]}",     # wrong check digit
        f"{BAD_12[2:8]}.{BAD_12[8:]}",
        f"{BAD_12[:4]} {BAD_12[4:6]} {BAD_12[6:8]} {BAD_12[8:]}",
        "1981-13-18-" + with_check_digit("811318987")[6:],            # month 13
        "1981-02-30-" + with_check_digit("810230123")[6:],            # 30 February
    ],
)
def test_invalid_identity_numbers_with_other_separators_are_not_masked_as_such(text: str) -> None:
    assert not is_valid_identity_number(text)
    masked = mask_personal_data(text)
    assert "[personnummer]" not in masked
    assert "[samordningsnummer]" not in masked


@settings(max_examples=200, deadline=None)
@given(
    yy=st.integers(0, 99), mm=st.integers(1, 12), dd=st.integers(1, 28), serial=st.integers(0, 999),
    coordination=st.booleans(), century=st.sampled_from(["19", "20"]),
    date_separator=st.sampled_from(["-", ".", "/", " "]), serial_separator=st.sampled_from(["same", "-", " - "]),
)
def test_every_valid_identity_number_with_a_separated_date_is_masked(
    yy: int, mm: int, dd: int, serial: int, coordination: bool, century: str, date_separator: str,
    serial_separator: str,
) -> None:
    day = dd + 60 if coordination else dd
    number = with_check_digit(f"{yy:02d}{mm:02d}{day:02d}{serial:03d}")
    last = date_separator if serial_separator == "same" else serial_separator
    text = f"{century}{number[:2]}{date_separator}{number[2:4]}{date_separator}{number[4:6]}{last}{number[6:]}"
    token = "[samordningsnummer]" if coordination else "[personnummer]"
    assert mask_personal_data(f"nr {text}, tack") == f"nr {token}, tack"


@pytest.mark.parametrize(
    "phone",
    [
        "070.123.45.67",
        "070.1234567",
        "08.123.456.78",
        "+46.70.123.45.67",
        "+46 70.123.45.67",
        "+46 070-123 45 67",            # the trunk 0 kept after +46
        "0046 (0)8-123 456 78",
        "070\u2014123 45 67",            # em dash
        "070\u2010123\u201145\u201167",  # Unicode hyphen, non-breaking hyphen
        "070\u202f123\u202f45\u202f67",  # narrow no-break space
    ],
)
def test_more_phone_spellings_are_masked(phone: str) -> None:
    assert mask_personal_data(f"Ring mig på {phone}!") == "Ring mig på [telefonnummer]!"


@pytest.mark.parametrize(
    "phone",
    ["0046701234567", "+46(0)8-123 456 78", "+46 (0)70-123 45 67", "070/123 45 67", "08 123 456 78", "0771-123 456"],
)
def test_phone_spellings_from_the_review_stay_masked(phone: str) -> None:
    assert mask_personal_data(f"Tel: {phone}.") == "Tel: [telefonnummer]."


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Ring 070-123 45 67 070-765 43 21 nu", "Ring [telefonnummer] [telefonnummer] nu"),
        ("Ring 070-1234567/070-7654321 nu", "Ring [telefonnummer]/[telefonnummer] nu"),
        ("Ring 070.123.45.67 eller 08-123 456 78 nu", "Ring [telefonnummer] eller [telefonnummer] nu"),
    ],
)
def test_phone_numbers_next_to_each_other_are_all_masked(text: str, masked: str) -> None:
    assert mask_personal_data(text) == masked


@pytest.mark.parametrize(
    "email",
    [
        "anna(at)kommun.se",
        "anna [at] kommun . se",
        "anna at kommun dot se",
        "ANNA AT KOMMUN DOT SE",
        "anna @ kommun.se",
        "anna\uff20kommun\uff0ese",       # full-width ＠ and ．
        "anna\uff20kommun.se",
        "anna(snabel-a)kommun.se",
        "anna snabel-a kommun punkt se",
        "anna{at}kommun.se",
        "anna (at) trygg-kommun.nu",
        "anna.svensson(at)kommun(dot)se",
        "anna dot svensson at kommun dot se",
        "a.svensson [at] mail.example.com",
    ],
)
def test_disguised_email_addresses_are_masked(email: str) -> None:
    assert mask_personal_data(f"Mejla {email}, tack.") == "Mejla [e-post], tack."


@pytest.mark.parametrize(
    "text",
    [
        "Möte @ stadshuset. Se kallelsen.",        # a full stop and a capital: a new sentence, not a domain
        "Vi ses @ torget.Sen gick vi hem.",
        "Skriv till Anna @ kommunen i morgon.",
        "Titta at kommun. Se till att lampan lagas.",
        "Det var at least tio personer där.",
        "Kolla punkt 3 och punkt 4 i protokollet.",
    ],
)
def test_prose_with_at_signs_and_full_stops_is_left_alone(text: str) -> None:
    assert mask_personal_data(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "Stängt 2026-03-01 - 2026-04-15 på grund av renovering.",
        "Perioden 2026-03-01–2026-04-15 gäller.",
        "Perioden 2026-03-01 – 2026-04-15 gäller.",
        "Perioden 1/3 - 15/4 gäller.",
        "Öppet 0800-1700 vardagar.",
        "Öppet 0930-1500/1000-1400.",
        "Öppet 08.00–17.00.",
        "Öppet 08.00-12.00, 13.00-17.00.",
        "Öppet kl. 8-17.",
        "Biljetten kostar 1 200 kr.",
        "Under 2019-2024 blev det bättre.",
        "Postnummer 123 45.",
        "Ärende KS 2026/123 och Dnr 2026-00123.",
        "Ordernummer 1234567890123456.",
        "Betala med OCR 7350012345678.",
        "Platsen ligger på 59.3293, 18.0686.",
        "Datum 05.12.2024 10.30 i aulan.",
        "Mötet 2026-03-02 1830 i Folkets hus.",
        "Servern har adress 10.070.123.45 och 192.168.1.10.",
        "Rabatt 039274.0566 procent.",
    ],
)
def test_dates_opening_hours_and_codes_are_left_alone(text: str) -> None:
    assert mask_personal_data(text) == text


def test_masks_do_not_swallow_neighbouring_words_or_dates() -> None:
    text = (f"Stängt 2026-03-01 - 2026-04-15. Anna ({PNR_12[:4]}-{PNR_12[4:6]}-{PNR_12[6:8]}-{PNR_12[8:]}) "
            "ringer 070.123.45.67 kl. 08.00–17.00 eller mejla anna(at)kommun.se idag.")
    assert mask_personal_data(text) == (
        "Stängt 2026-03-01 - 2026-04-15. Anna ([personnummer]) ringer [telefonnummer] kl. 08.00–17.00 "
        "eller mejla [e-post] idag."
    )


def test_a_phone_number_after_a_date_or_opening_hours_is_masked_whole() -> None:
    assert mask_personal_data("Den 2026-03-01 08-123 456 78 ring") == "Den 2026-03-01 [telefonnummer] ring"
    assert mask_personal_data("0800-1700+46 70 123 45 67") == "0800-1700[telefonnummer]"


def _fastest_of_three(text: str) -> float:
    fastest = float("inf")
    for _ in range(3):
        start = time.process_time()
        mask_personal_data(text)
        fastest = min(fastest, time.process_time() - start)
    return fastest


def _fill(pattern: str, length: int) -> str:
    return (pattern * (length // len(pattern) + 1))[:length]


_HOSTILE_PATTERNS = [
    "0-1 2.3/4 5-6 7.8/9 ", "0.1.", "0 - ", "070.123.45.67.", "1981 12 18 ", "19811218-9876-", "811218 - ",
    "2026-03-01 - ", "0800-1700-", "08.00–17.00 ", "01.02.2024.", "+46 (0) 0 ",
    "a @ ", "a@", "a＠b．", "a at ", "a at b dot ", "a (at) ", "a [at] b . ", "a dot ", "a snabel-a b punkt ",
    "x@" + "a-" * 40, "a(at)" + "b." * 10, "anna at kommun dot 070.123.45.67 ",
]


def test_masking_stays_linear_on_20_kb_of_hostile_text() -> None:
    """Against ordinary prose of the same length in the same run: a quadratic pattern would be hundreds of times
    slower at 20 kB; a linear one stays within a small factor whatever the machine's speed or load."""
    length = 20_000
    baseline = _fastest_of_three(_fill("Det känns otryggt vid torget på kvällarna, belysningen är dålig. ", length))
    ratios = {pattern: _fastest_of_three(_fill(pattern, length)) / baseline for pattern in _HOSTILE_PATTERNS}
    assert max(ratios.values()) < 15, ratios
