"""Where Django looks for the app's models: each feature package keeps its own in ``<feature>/models.py``.

Import a model from its feature (``from disclosure.records.models import Record``), not from here.
"""

from disclosure.applications.models import Application, ApplicationPause  # noqa: F401
from disclosure.concerns.models import Concern, ConcernResponse  # noqa: F401
from disclosure.consultations.models import (  # noqa: F401
    Consultation,
    ConsultationAttachment,
    ConsultationComment,
)
from disclosure.consultations.privacy_models import ConsultationPrivacyFinding, ConsultationPrivacyScan  # noqa: F401
from disclosure.core.calendar import CalendarDay, CalendarYear  # noqa: F401
from disclosure.core.devices import StaffTOTPDevice  # noqa: F401
from disclosure.core.jobs import JobSlot  # noqa: F401
from disclosure.core.log import ActivityEntry  # noqa: F401
from disclosure.core.models import DeadlineNotice  # noqa: F401
from disclosure.core.staff import StaffProfile  # noqa: F401
from disclosure.feedback.models import Feedback  # noqa: F401
from disclosure.records.check_models import SiteCheckFinding, WordingRule  # noqa: F401
from disclosure.records.edit_lock import RecordEditLock  # noqa: F401
from disclosure.records.models import (  # noqa: F401
    Attachment,
    AuditEntry,
    IndexSequence,
    Interpretation,
    Record,
    RecordVersion,
    Review,
    SearchDocument,
    SearchFts,
)
from disclosure.records.privacy_models import PrivacyFinding, PrivacyScan  # noqa: F401
from disclosure.records.publicity_models import NoticeObjection, PublicNotice  # noqa: F401
from disclosure.records.review_models import ReviewChain, ReviewPlan, ReviewStep, ReviewStepEntry  # noqa: F401
from disclosure.records.validity_models import PolicyChange  # noqa: F401
from disclosure.reports.models import AnnualReportDocument, AnnualReportEdition, DisclosureCase  # noqa: F401
from disclosure.search.models import SearchSynonym, SearchTermCount  # noqa: F401
from disclosure.service_guides.models import (  # noqa: F401
    ServiceGuide,
    ServiceGuideFAQ,
    ServiceGuideMaterial,
    ServiceGuideStep,
)
from disclosure.site.models import ReadingPoint  # noqa: F401
from disclosure.subscriptions.models import Subscription  # noqa: F401
