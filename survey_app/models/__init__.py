"""The whole schema, one module per concern; importing this package registers every table on the metadata.

Import models from here (`from survey_app.models import Survey`), so that Alembic, the app and the tests always see
the same complete schema.
"""

from survey_app.models.areas import Area, AreaPopulation, FocusArea
from survey_app.models.dialogues import (
    CHILD_TALLY_BANDS,
    MAX_PER_WALK_GROUP,
    Decision,
    Dialogue,
    DialogueFormat,
    DialogueRevision,
    Observation,
    ObservationCategory,
    ObservationKind,
    ObservationStatus,
    ParticipantTally,
    Partner,
    Responsible,
    StatusChange,
    TallyGender,
    TimeOfDay,
    dialogue_focus_areas,
    observation_focus_areas,
)
from survey_app.models.insights import ProblemLevelCutpoints, SuppressionPattern
from survey_app.models.limits import RateCounter
from survey_app.models.retention import RetentionPolicy
from survey_app.models.staff import AuditEvent, LoginFailure, Role, StaffKnownDevice, StaffSessionKey, StaffUser
from survey_app.models.surveys import (
    Answer,
    Channel,
    HeldResponse,
    InvitationCode,
    Questionnaire,
    Response,
    Survey,
    SurveyDraft,
    SurveyStatus,
    WaveCodebook,
    survey_areas,
)

__all__ = [
    "CHILD_TALLY_BANDS",
    "MAX_PER_WALK_GROUP",
    "Answer",
    "Area",
    "AreaPopulation",
    "AuditEvent",
    "Channel",
    "Decision",
    "Dialogue",
    "DialogueFormat",
    "DialogueRevision",
    "FocusArea",
    "HeldResponse",
    "InvitationCode",
    "LoginFailure",
    "Observation",
    "ObservationCategory",
    "ObservationKind",
    "ObservationStatus",
    "ParticipantTally",
    "Partner",
    "ProblemLevelCutpoints",
    "Questionnaire",
    "RateCounter",
    "Response",
    "Responsible",
    "RetentionPolicy",
    "Role",
    "StaffKnownDevice",
    "StaffSessionKey",
    "StaffUser",
    "StatusChange",
    "SuppressionPattern",
    "Survey",
    "SurveyDraft",
    "SurveyStatus",
    "TallyGender",
    "TimeOfDay",
    "WaveCodebook",
    "dialogue_focus_areas",
    "observation_focus_areas",
    "survey_areas",
]
