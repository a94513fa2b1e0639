"""The role matrix: which role may use which endpoint. The one place that says so.

Every endpoint of the application is classified here. Resident-facing blueprints are public; everything else is
listed by endpoint name with the roles allowed to use it (all methods of the endpoint alike). `access.py` enforces
the matrix before any view runs, and a test walks `app.url_map` and fails on an endpoint missing from it.

Object-level rules sit on top of the matrix, in the views: a facilitator edits only the dialogues they recorded.
"""

from __future__ import annotations

from survey_app.models import Role

PUBLIC = "public"

ADMIN = frozenset({Role.ADMIN})
FACILITATOR = frozenset({Role.FACILITATOR})
ALL_STAFF = frozenset(Role)
ANALYSTS = frozenset({Role.ANALYST, Role.ADMIN})

# Every endpoint of these blueprints serves residents, who never log in.
PUBLIC_BLUEPRINTS = frozenset({"survey"})

MATRIX: dict[str, str | frozenset[Role]] = {
    "static": PUBLIC,
    # load balancer probes: up or down, nothing else
    "health.healthz": PUBLIC,
    "health.readyz": PUBLIC,
    # staff accounts
    "auth.login": PUBLIC,
    "auth.logout": ALL_STAFF,
    "auth.password": ALL_STAFF,
    # dialogues: everyone on the staff reads and exports; facilitators record them
    "dialogue.index": ALL_STAFF,
    "dialogue.detail": ALL_STAFF,
    "dialogue.protocol": ALL_STAFF,
    "dialogue.observations": ALL_STAFF,
    "dialogue.export_csv": ALL_STAFF,
    "dialogue.export_xlsx": ALL_STAFF,
    "dialogue.create": FACILITATOR,
    "dialogue.edit": FACILITATOR,
    "dialogue.observation_create": FACILITATOR,
    "dialogue.observation_edit": FACILITATOR,
    "dialogue.observation_status": FACILITATOR,
    # administration: users, areas and focus areas
    "admin.users": ADMIN,
    "admin.user_create": ADMIN,
    "admin.user_edit": ADMIN,
    "admin.areas": ADMIN,
    "admin.area_create": ADMIN,
    "admin.area_edit": ADMIN,
    "admin.focus_areas": ADMIN,
    "admin.focus_area_create": ADMIN,
    "admin.focus_area_edit": ADMIN,
    # survey waves: create, open and close, print invitation codes
    "admin.waves": ADMIN,
    "admin.wave_create": ADMIN,
    "admin.wave_detail": ADMIN,
    "admin.wave_status": ADMIN,
    "admin.wave_codes": ADMIN,
    # retention (gallring): the schedule
    "admin.retention_policy": ADMIN,
    # results of survey waves: everyone on the staff reads them; admins set the problem-level cut-points
    "insights.index": ALL_STAFF,
    "insights.overview": ALL_STAFF,
    "insights.table": ALL_STAFF,
    "insights.gender": ALL_STAFF,
    "insights.children": ALL_STAFF,
    "insights.trend": ALL_STAFF,
    # the anomaly view (sends per hour, identical patterns, straight-lining) and exclusions: analysts and admins
    "insights.anomalies_page": ANALYSTS,
    "insights.anomalies_reverse": ANALYSTS,
    "insights.cutpoints": ADMIN,
    "insights.cutpoints_edit": ADMIN,
    # a wave's results as files: tables for all staff, microdata (one row per response) for analysts and admins
    "insights_downloads.table_csv": ALL_STAFF,
    "insights_downloads.tables_xlsx": ALL_STAFF,
    "insights_downloads.result_json_file": ALL_STAFF,
    "insights_downloads.microdata_csv": ANALYSTS,
    "insights_downloads.microdata_sav": ANALYSTS,
    "insights_downloads.microdata_dta": ANALYSTS,
    "insights_downloads.codebook_xlsx": ANALYSTS,
    "insights_downloads.population_csv": ANALYSTS,
}


def access_for(endpoint: str | None) -> str | frozenset[Role] | None:
    """`PUBLIC`, the roles allowed, or None when the endpoint is not classified (an explicit entry wins)."""
    if endpoint is None:
        return None
    if endpoint in MATRIX:
        return MATRIX[endpoint]
    if endpoint.partition(".")[0] in PUBLIC_BLUEPRINTS and "." in endpoint:
        return PUBLIC
    return None


def may(role: str | None, endpoint: str) -> bool:
    """Whether a user with `role` (None: anonymous) may use `endpoint`; templates use it to show links."""
    access = access_for(endpoint)
    if access == PUBLIC:
        return True
    if access is None or role is None:
        return False
    return role in access
