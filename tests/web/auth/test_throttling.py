"""Review finding F3: a stranger could lock the owner out. Behind a proxy or NAT every client has one address, so five
wrong guesses by anyone locked the owner out; fifty from one address locked everyone there; twenty addresses times five
locked the owner out everywhere.

Now the real client address comes from the trusted proxy (TRYGG_PROXY_HOPS), wrong guesses make the next attempt on
the account wait longer and longer, whatever the address, and a browser where the owner has logged in before (a known
device) is not subject to those waits, only to a limit of its own.
"""

from __future__ import annotations

import hashlib

from flask import Flask
from itsdangerous import URLSafeSerializer
from sqlalchemy import select

from survey_app.db import utcnow
from survey_app.models import AuditEvent, LoginFailure, StaffKnownDevice
from tests.factories import PASSWORD, make_staff
from tests.web.client import becomes_known, behind_proxy, log_in, token

OWNER = "agare@kommun.se"
COLLEAGUE = "kollega@kommun.se"
OFFICE = "198.51.100.20"  # the municipality's NAT address, as the proxy names it
WRONG = "gissning-nummer-x"
SLOWED = "För många misslyckade inloggningar. Vänta"


def _accounts(staff_db, *emails: str) -> None:
    for email in emails:
        make_staff(staff_db, "admin", email=email)
    staff_db.commit()


def test_1_five_guesses_behind_the_same_proxy_address_do_not_lock_out_the_owner(
    proxied: Flask, staff_db, clock
) -> None:  # the clock stands still: a slow machine must not let a wait run out mid-test
    _accounts(staff_db, OWNER)
    owner = behind_proxy(proxied, OFFICE)
    becomes_known(owner, OWNER)
    stranger = behind_proxy(proxied, OFFICE)
    for _ in range(5):
        assert log_in(stranger, OWNER, WRONG).status_code == 401
    assert log_in(stranger, OWNER).status_code == 429  # the stranger waits, even with the right password

    assert log_in(owner, OWNER).status_code == 302  # the owner, on the same address, gets in at once
    # Counted against the address the proxy forwarded, not the proxy's own 127.0.0.1.
    assert set(staff_db.scalars(select(LoginFailure.client))) == {OFFICE}
    staff_db.rollback()


def test_2_fifty_failures_from_one_address_slow_strangers_there_but_not_known_devices(
    proxied: Flask, staff_db, clock
) -> None:
    _accounts(staff_db, COLLEAGUE, "ny@kommun.se")
    colleague = behind_proxy(proxied, OFFICE)
    becomes_known(colleague, COLLEAGUE)
    # A password sprayer behind the office address: 45 earlier failures, five more now through the proxy.
    staff_db.add_all([LoginFailure(email=f"x{n}@kommun.se", client=OFFICE, at=utcnow()) for n in range(45)])
    staff_db.commit()
    sprayer = behind_proxy(proxied, OFFICE)
    for number in range(5):
        assert log_in(sprayer, f"y{number}@kommun.se", WRONG).status_code == 401
    assert log_in(sprayer, "z@kommun.se", WRONG).status_code == 429

    assert log_in(colleague, COLLEAGUE).status_code == 302  # known device: in at once
    stranger_there = behind_proxy(proxied, OFFICE)
    slowed = log_in(stranger_there, "ny@kommun.se")  # a new browser at that address waits, right password or not
    assert slowed.status_code == 429
    assert SLOWED in slowed.get_data(as_text=True)
    # The count is per forwarded address: the same person from home is not slowed.
    assert log_in(behind_proxy(proxied, "203.0.113.77"), "ny@kommun.se").status_code == 302


def test_3_twenty_addresses_times_five_guesses_do_not_lock_out_the_owner(proxied: Flask, staff_db, clock) -> None:
    _accounts(staff_db, OWNER)
    owner = behind_proxy(proxied, OFFICE)
    becomes_known(owner, OWNER)
    answers = [log_in(behind_proxy(proxied, f"203.0.113.{address}"), OWNER, WRONG).status_code
               for address in range(1, 21) for _ in range(5)]
    assert answers.count(401) == 5  # five guesses were checked; the other 95 had to wait, whatever the address
    assert set(answers[5:]) == {429}

    assert log_in(owner, OWNER).status_code == 302
    assert log_in(behind_proxy(proxied, "192.0.2.50"), OWNER).status_code == 429  # a new browser waits


def test_4_the_guesser_waits_longer_and_longer_even_rotating_addresses(proxied: Flask, staff_db, clock) -> None:
    _accounts(staff_db, OWNER)
    addresses = (f"203.0.113.{n}" for n in range(1, 100))
    for _ in range(5):
        assert log_in(behind_proxy(proxied, next(addresses)), OWNER, WRONG).status_code == 401
    waits, pages = [], []
    for _ in range(4):
        refused = log_in(behind_proxy(proxied, next(addresses)), OWNER, WRONG)
        assert refused.status_code == 429
        waits.append(int(refused.headers["Retry-After"]))
        pages.append(refused.get_data(as_text=True))
        clock.advance(seconds=waits[-1])
        assert log_in(behind_proxy(proxied, next(addresses)), OWNER, WRONG).status_code == 401  # one guess, then wait
    assert waits == [15, 30, 60, 120]
    assert f"{SLOWED} 60 sekunder och försök igen." in pages[2]
    assert f"{SLOWED} 2 minuter och försök igen." in pages[3]
    for _ in range(2):
        clock.advance(minutes=5)
        assert log_in(behind_proxy(proxied, next(addresses)), OWNER, WRONG).status_code == 401
    refused = log_in(behind_proxy(proxied, next(addresses)), OWNER, WRONG)
    assert refused.headers["Retry-After"] == "300"  # capped at five minutes
    assert "Vänta 5 minuter och försök igen." in refused.get_data(as_text=True)
    # A refused attempt is not checked, so it is audited as throttled, never as a failed guess.
    actions = staff_db.scalars(select(AuditEvent.action).where(AuditEvent.action.like("auth.login%"))).all()
    assert actions.count("auth.login_failed") == 11
    assert actions.count("auth.login_throttled") == 5
    staff_db.rollback()


def test_the_owner_on_a_new_device_during_an_attack_waits_like_everyone_and_is_told_why(
    proxied: Flask, staff_db, clock
) -> None:
    _accounts(staff_db, OWNER)
    attacker = behind_proxy(proxied, "203.0.113.9")
    for _ in range(5):
        log_in(attacker, OWNER, WRONG)
    new_phone = behind_proxy(proxied, "192.0.2.8")
    refused = log_in(new_phone, OWNER)
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "För många misslyckade inloggningar. Vänta 15 sekunder och försök igen." in page
    assert "På en dator eller telefon där du har loggat in förut kommer du in direkt med rätt lösenord." in page
    assert 'role="alert"' in page

    clock.advance(seconds=15)
    assert log_in(new_phone, OWNER).status_code == 302  # once the wait is over; the phone is now a known device
    # The owner's success hands the guesser nothing: his failures still count, and his next wait is longer.
    assert log_in(attacker, OWNER, WRONG).status_code == 401
    assert log_in(attacker, OWNER, WRONG).headers["Retry-After"] == "30"


def test_a_known_device_has_a_limit_of_its_own_and_its_typos_slow_nobody_else(
    proxied: Flask, staff_db, clock
) -> None:
    _accounts(staff_db, OWNER)
    laptop = behind_proxy(proxied, OFFICE)
    becomes_known(laptop, OWNER)
    for _ in range(10):
        assert log_in(laptop, OWNER, WRONG).status_code == 401
    refused = log_in(laptop, OWNER)
    assert refused.status_code == 429  # a stolen device cookie is worth ten guesses, then waits
    assert "loggat in förut" not in refused.get_data(as_text=True)  # no hint that cannot help on this browser
    assert log_in(behind_proxy(proxied, OFFICE), OWNER).status_code == 302  # the account itself is not slowed


def test_a_device_cookie_counts_only_for_its_own_account_and_only_as_the_app_wrote_it(
    app: Flask, proxied: Flask, staff_db
) -> None:
    _accounts(staff_db, OWNER, COLLEAGUE)
    owner = behind_proxy(proxied, OFFICE)
    login = log_in(owner, OWNER)
    cookie = owner.get_cookie("trygg_device")
    assert cookie is not None
    assert cookie.http_only
    assert cookie.same_site == "Lax"
    assert 179 * 86400 < int(login.headers["Set-Cookie"].split("Max-Age=")[1].split(";")[0]) <= 180 * 86400
    (device_token,) = URLSafeSerializer(app.secret_key, salt="trygg.known-device").loads(cookie.value)
    stored = staff_db.scalars(select(StaffKnownDevice.token_hash)).all()
    assert stored == [hashlib.sha256(device_token.encode()).hexdigest()]  # only a hash is kept
    staff_db.rollback()
    owner.post("/logga-ut", data={"csrf_token": token(owner, "/dialoger/")})
    colleague = behind_proxy(proxied, OFFICE)
    becomes_known(colleague, COLLEAGUE)

    for _ in range(5):
        log_in(behind_proxy(proxied, "203.0.113.9"), OWNER, WRONG)
    assert log_in(colleague, OWNER).status_code == 429  # the colleague's browser is not the owner's known device
    forged = behind_proxy(proxied, OFFICE)
    forged.set_cookie("trygg_device", URLSafeSerializer("another key", salt="trygg.known-device").dumps([device_token]))
    for value in (forged.get_cookie("trygg_device").value, "garbage", cookie.value + "x"):
        tampered = behind_proxy(proxied, OFFICE)
        tampered.set_cookie("trygg_device", value)
        assert log_in(tampered, OWNER).status_code == 429
    assert log_in(owner, OWNER).status_code == 302


def test_one_browser_can_be_a_known_device_of_several_colleagues(proxied: Flask, staff_db) -> None:
    _accounts(staff_db, OWNER, COLLEAGUE)
    workstation = behind_proxy(proxied, OFFICE)
    becomes_known(workstation, OWNER)
    becomes_known(workstation, COLLEAGUE)
    for email in (OWNER, COLLEAGUE):
        for _ in range(5):
            log_in(behind_proxy(proxied, OFFICE), email, WRONG)  # someone in the same office
    assert log_in(workstation, OWNER).status_code == 302
    workstation.post("/logga-ut", data={"csrf_token": token(workstation, "/dialoger/")})
    assert log_in(workstation, COLLEAGUE).status_code == 302


def test_the_known_device_cookie_is_secure_in_production(app_factory, staff_db) -> None:
    _accounts(staff_db, OWNER)
    production = app_factory({"SESSION_COOKIE_SECURE": True})
    client = production.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    client.environ_base["HTTP_REFERER"] = "https://localhost/logga-in"
    assert log_in(client, OWNER, PASSWORD).status_code == 302
    assert client.get_cookie("trygg_device", domain="localhost").secure
