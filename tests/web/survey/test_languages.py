"""Languages in the resident flow: a language offered is complete or says plainly what is in Swedish, right-to-left
stays right-to-left, and a wave's title and description follow the resident's language."""

from __future__ import annotations

import re

import pytest

from analysis.instrument import default_directory, load_instrument
from tests.factories import ADULT, YOUTH
from tests.web.survey.resident import first_option

ADULT_V2, YOUTH_V2 = "trygghetsenkat-v2.yaml", "trygghetsenkat-unga-v2.yaml"
NEW_LANGUAGES = ("ar", "fi", "so", "fa")
SWEDISH_NOTICE = {  # "some questions on this page are shown in Swedish", as each language says it
    "ar": "بعض الأسئلة في هذه الصفحة لم تُترجم إلى لغتك بعد",
    "fi": "Joitakin tämän sivun kysymyksiä ei ole vielä käännetty",
}


def _main(html: str) -> str:
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


@pytest.mark.parametrize("file", [ADULT_V2, YOUTH_V2])
def test_version_2_has_every_text_in_every_language(file: str) -> None:
    instrument = load_instrument(default_directory() / file)
    assert set(instrument.language_codes) == {"sv", "en", *NEW_LANGUAGES}
    for code in NEW_LANGUAGES:
        language = instrument.language(code)
        assert language is not None
        assert language.complete
        assert language.status == "needs_review"
        for item in instrument.questions:
            assert all(option.labels.get(code) for option in item.options), (item.code, code)
            if item.texts["sv"].help:
                assert item.texts[code].help, (item.code, code)
    assert {instrument.language(code).direction for code in ("ar", "fa")} == {"rtl"}


@pytest.mark.parametrize(("file", "language"), [(f, lang) for f in (ADULT_V2, YOUTH_V2) for lang in NEW_LANGUAGES])
def test_a_complete_language_shows_no_swedish_on_any_page(make_wave, resident, db_session, file, language) -> None:
    survey = make_wave(file, languages=("sv", "en", *NEW_LANGUAGES))
    survey.title_translations = {code: f"({code}) 2026" for code in NEW_LANGUAGES}
    db_session.commit()
    walker = resident()
    pages: list[str] = []
    original = walker.fields_on

    def recording(path: str):
        html, fields = original(path)
        pages.append(html)
        return html, fields

    walker.fields_on = recording  # type: ignore[method-assign]
    summary = walker.client.get(walker.complete(first_option, language)).get_data(as_text=True)
    direction = "rtl" if language in ("ar", "fa") else "ltr"
    for html in [*pages, summary]:
        assert f'<html lang="{language}" dir="{direction}">' in html
        body = _main(html)
        assert 'lang="sv"' not in body.replace('hreflang="sv"', "")  # no question, answer or title fell back
        assert "class=\"notice\" role=\"note\"" not in body
    assert len(pages) >= 12


def test_a_partly_translated_language_says_so_on_each_page_and_keeps_items_in_one_language(make_wave, resident,
                                                                                            db_session) -> None:
    survey = make_wave(ADULT, languages=("sv", "en", "ar"))  # version 1: Arabic covers only the core items
    survey.title_translations = {"ar": "استبيان 2026"}
    db_session.commit()
    walker = resident()
    walker.start("ar")
    landing = walker.client.get("/enkat/trygghet-2026?lang=ar").get_data(as_text=True)
    assert "بعض أسئلة هذا الاستبيان لم تُترجم إلى لغتك بعد" in landing  # said before the resident starts

    evening = _main(walker.client.get("/enkat/trygghet-2026/sida/1").get_data(as_text=True))
    assert SWEDISH_NOTICE["ar"] not in evening
    assert 'lang="sv"' not in evening

    mixed = _main(walker.client.get("/enkat/trygghet-2026/sida/2").get_data(as_text=True))
    assert SWEDISH_NOTICE["ar"] in mixed
    # changed_route has no Arabic text: its question and its answers are all Swedish, never Swedish with Arabic.
    labels = re.findall(r'<label class="choice__label" for="q_changed_route-\d+">(.*?)</label>', mixed, re.S)
    assert labels
    assert all(label.startswith('<span lang="sv" dir="ltr">') for label in labels)
    assert '<span lang="sv" dir="ltr">Aldrig</span>' in mixed
    # worry_crime_society has Arabic: its answers stay Arabic on the same page.
    society = re.findall(r'<label class="choice__label" for="q_worry_crime_society-\d+">(.*?)</label>', mixed, re.S)
    assert society
    assert not any("lang=" in label for label in society)

    for number in range(4, 13):  # the pages that used to be entirely Swedish without a word
        html = walker.client.get(f"/enkat/trygghet-2026/sida/{number}")
        if html.status_code == 200:
            assert SWEDISH_NOTICE["ar"] in html.get_data(as_text=True), number


def test_the_swedish_flow_shows_no_translation_notice(make_wave, resident) -> None:
    make_wave(YOUTH, languages=("sv", "en", "ar"))
    walker = resident()
    walker.start("sv")
    for number in range(1, 17):
        response = walker.client.get(f"/enkat/trygghet-2026/sida/{number}")
        if response.status_code == 200:
            assert "har ännu inte översatts" not in response.get_data(as_text=True)


def test_the_wave_title_and_description_follow_the_language(make_wave, client, db_session) -> None:
    survey = make_wave(ADULT_V2, languages=("sv", "en", "fi", "ar"))
    survey.title_translations = {"en": "Safety survey 2026", "fi": "Turvallisuuskysely 2026"}
    survey.descriptions = {"sv": "Enkäten för Norr och Söder.", "fi": "Kysely Norrin ja Söderin asukkaille."}
    db_session.commit()
    english = client.get("/enkat/trygghet-2026?lang=en").get_data(as_text=True)
    assert "<h1>Safety survey 2026</h1>" in english
    assert "<title>Safety survey 2026" in english
    assert '<span lang="sv" dir="ltr">Enkäten för Norr och Söder.</span>' in english  # no English: Swedish, marked
    finnish = client.get("/enkat/trygghet-2026?lang=fi").get_data(as_text=True)
    assert "<h1>Turvallisuuskysely 2026</h1>" in finnish
    assert "Kysely Norrin ja Söderin asukkaille." in finnish
    arabic = client.get("/enkat/trygghet-2026?lang=ar").get_data(as_text=True)
    assert '<h1><span lang="sv" dir="ltr">Trygghetsenkät 2026</span></h1>' in arabic
    swedish = client.get("/enkat/trygghet-2026?lang=sv").get_data(as_text=True)
    assert "<h1>Trygghetsenkät 2026</h1>" in swedish
    assert "Enkäten för Norr och Söder." in swedish
