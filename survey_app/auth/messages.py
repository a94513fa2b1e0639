"""What a person reads for each account error reason."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from survey_app.auth.passwords import MIN_LENGTH

ACCOUNT_MESSAGES = {
    "invalid_email": _l("Enter a valid e-mail address, such as name@kommun.se."),
    "unknown_role": _l("The role must be admin, facilitator or analyst."),
    "email_taken": _l("There is already a staff account with that e-mail address."),
    "password_too_short": _l("The password must be at least %(n)s characters long.", n=MIN_LENGTH),
    "password_too_long": _l("The password is too long."),
    "password_too_guessable": _l(
        "The password is too easy to guess. Use several unrelated words or a password manager."
    ),
    "password_mismatch": _l("The two passwords are not the same."),
    "wrong_current_password": _l("The current password is not correct."),
    "password_change_throttled": _l(
        "The current password was wrong too many times. Wait 15 minutes and try again."
    ),
    "password_change_logged_out": _l(
        "You have been logged out because the current password was wrong too many times. Log in again."
    ),
    "last_admin": _l("There must be at least one active admin. Give another user the admin role first."),
    "cannot_deactivate_self": _l("You cannot deactivate your own account."),
}
