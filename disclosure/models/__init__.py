"""Models of the disclosure app, one module per area; import them from here."""
from disclosure.models.records import (  # noqa: F401
    Attachment,
    AuditEntry,
    IndexSequence,
    Openness,
    Record,
    RecordType,
    RecordVersion,
    Review,
    Status,
    Validity,
    WithholdingGround,
)
from disclosure.models.staff import StaffProfile  # noqa: F401
from disclosure.models.calendar import CalendarDay, CalendarYear  # noqa: F401
from disclosure.models.activity import ActivityEntry  # noqa: F401
from disclosure.models.concerns import Concern, ConcernResponse, DeadlineNotice  # noqa: F401
from disclosure.models.service_guides import ServiceGuide, ServiceGuideFAQ, ServiceGuideMaterial, ServiceGuideStep  # noqa: F401
from disclosure.models.interpretation import Interpretation, InterpretationForm  # noqa: F401
from disclosure.models.consultations import Consultation, ConsultationAttachment, ConsultationComment, ConsultationStatus, DecisionKind, Moderation  # noqa: F401
from disclosure.models.applications import Application, ApplicationPause  # noqa: F401
from disclosure.models.channels import ReadingPoint  # noqa: F401
from disclosure.models.search import SearchDocument, SearchFts  # noqa: F401
