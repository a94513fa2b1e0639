"""The role matrix: which role may use which endpoint. The one place that says so.

Every endpoint of the application is classified here. Resident-facing blueprints are public; everything else is
listed by endpoint name with the roles allowed to use it (all methods of the endpoint alike). `access.py` enforces
the matrix before any view runs, and a test walks `app.url_map` and fails on an endpoint missing from it.

Object-level rules sit on top of the matrix, in the views: a facilitator edits only the dialogues they recorded (an
admin edits every one); any facilitator follows up any observation (its status and decision).
"""

from __future__ import annotations

from survey_app.models import Role

PUBLIC = "public"

ADMIN = frozenset({Role.ADMIN})
FACILITATOR = frozenset({Role.FACILITATOR})
# Facilitators record; admins may edit everything (issue 12). Which dialogue a facilitator may edit is per object.
FACILITATOR_OR_ADMIN = frozenset({Role.FACILITATOR, Role.ADMIN})
ALL_STAFF = frozenset(Role)
ANALYSTS = frozenset({Role.ANALYST, Role.ADMIN})

# Every endpoint of these blueprints serves residents, who never log in.
PUBLIC_BLUEPRINTS = frozenset({"survey", "feedback"})  # feedback: the public återkoppling page

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
    "dialogue.edit": FACILITATOR_OR_ADMIN,
    "dialogue.observation_create": FACILITATOR_OR_ADMIN,
    "dialogue.observation_edit": FACILITATOR_OR_ADMIN,
    # the follow-up: any facilitator (the party responsible for a measure) changes its status and decision
    "dialogue.observation_status": FACILITATOR_OR_ADMIN,
    # participants summed over dialogues for a period and area, shown and exported
    "participants.summary": ALL_STAFF,
    "participants.export_csv": ALL_STAFF,
    "participants.export_xlsx": ALL_STAFF,
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
    # areas and population from files, the population form per area, the population year a wave is weighted to
    "area_data.import_areas": ADMIN,
    "area_data.import_population": ADMIN,
    "area_data.population_template": ADMIN,
    "area_data.area_population": ADMIN,
    "area_data.wave_population_year": ADMIN,
    # survey waves: create, open and close, print invitation codes
    "admin.waves": ADMIN,
    "admin.wave_create": ADMIN,
    "admin.wave_detail": ADMIN,
    "admin.wave_status": ADMIN,
    "admin.wave_close": ADMIN,
    "admin.wave_codes": ADMIN,
    "admin.wave_paper": ADMIN,
    # data entry of returned paper questionnaires and assisted interviews: all staff (interviewers are
    # facilitators); entering shows nothing of the stored answers, and the log counts only how many one entered
    "entry.index": ALL_STAFF,
    "entry.form": ALL_STAFF,
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
    # indicator series from outside the surveys: all staff read them and enter single values (the police's own
    # counts each tertial, audited, with history); analysts and admins import files and describe the series
    "indicators.index": ALL_STAFF,
    "indicators.detail": ALL_STAFF,
    "indicators.template_csv": ALL_STAFF,
    "indicators.value": ALL_STAFF,
    "indicators.import_file": ANALYSTS,
    "indicators.create": ANALYSTS,
    "indicators.edit": ANALYSTS,
    # medborgarlöften: all staff read them and the tertialrapport; analysts and admins edit promises and publish;
    # the follow-up of a tertial is open to all staff here, and the view lets a facilitator in only on promises
    # they own
    "promises.index": ALL_STAFF,
    "promises.detail": ALL_STAFF,
    "promises.report": ALL_STAFF,
    "promises.published": ALL_STAFF,
    "promises.follow_up": ALL_STAFF,
    "promises.create": ANALYSTS,
    "promises.edit": ANALYSTS,
    "promises.publish": ANALYSTS,
    "promises.indicator_add": ANALYSTS,
    "promises.indicator_remove": ANALYSTS,
    "promises.activity_add": ALL_STAFF,  # the view lets a facilitator in only on promises they own
    "promises.activity_remove": ALL_STAFF,
    "promises.report_pdf": ALL_STAFF,
    "promises.published_pdf": ALL_STAFF,
    # the lägesbild: all staff read it and its saved versions; analysts and admins write the analysis and save
    "problem_picture.index": ALL_STAFF,
    "problem_picture.picture": ALL_STAFF,
    "problem_picture.version": ALL_STAFF,
    "problem_picture.save": ANALYSTS,
    "problem_picture.picture_pdf": ALL_STAFF,
    "problem_picture.version_pdf": ALL_STAFF,
    "problem_picture.picture_xlsx": ALL_STAFF,
    "problem_picture.version_xlsx": ALL_STAFF,
    # the survey's unsafe places with their masked descriptions, coded into the walk categories: staff only, and
    # only here; analysts and admins code them (audited), facilitators read
    "problem_picture.places": ALL_STAFF,
    "problem_picture.places_save": ANALYSTS,
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
