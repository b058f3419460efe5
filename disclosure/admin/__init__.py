"""Admin of the disclosure app, one module per area."""
from disclosure.admin import calendar  # noqa: F401
from disclosure.admin import interpretation  # noqa: F401
from disclosure.admin import records  # noqa: F401
from disclosure.admin import audit  # noqa: F401
from disclosure.admin import staff  # noqa: F401
from disclosure.admin import concerns  # noqa: F401
from disclosure.admin import service_guides  # noqa: F401
from disclosure.admin import applications  # noqa: F401
from disclosure.admin import reading_points  # noqa: F401
from disclosure.admin import consultations  # noqa: F401
