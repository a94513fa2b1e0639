"""What a person reads for each reason the results cannot be shown, and for each bad value in a results URL."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

INSIGHTS_MESSAGES = {
    # in place of figures, on the page (HTTP 200)
    "no_responses": _l("The wave has no responses yet. Figures appear here once residents have answered."),
    "no_population": _l("Weighting needs population figures for every area of the wave, and these areas have none: "
                        "%(detail)s. Add them under Areas, or choose no weighting."),
    "not_converged": _l("Raking did not converge: the weights could not be made to match the population in area, "
                        "gender and age band at once. Choose post-stratification or no weighting."),
    "weighting_failed": _l("The chosen weighting is not possible for this wave. Post-stratification, for one, needs "
                           "every respondent's area and age band and respondents in every population cell. Choose "
                           "raking or no weighting."),
    "compare_same_wave": _l("A wave cannot be compared with itself. Choose an earlier wave."),
    "compare_other_questionnaire": _l("The comparison wave used another questionnaire, so its figures are not "
                                      "comparable. Choose a wave of the same questionnaire."),
    "compare_no_responses": _l("The comparison wave has no responses."),
    "compare_failed": _l("The waves could not be compared (%(detail)s)."),
    "unknown_weighting": _l("There is no such weighting. Choose none, post-stratification or raking."),
    # a bad value in the URL (HTTP 400 or 404)
    "unknown_wave": _l("There is no survey wave with that address."),
    "unknown_measure": _l("The wave's questionnaire has no measure with that name."),
    "unknown_breakdown": _l("There is no such breakdown. Choose area, gender, age band, area × gender or area × age "
                            "band."),
    "unknown_compare": _l("There is no earlier wave of the same questionnaire with that name to compare with."),
    "unknown_cutpoint_measure": _l("No loaded questionnaire has a share measure with that name."),
    # the cut-point form
    "cutpoints_order": _l("Enter six cut-points from 0 to 100 per cent, each larger than the one before."),
}
