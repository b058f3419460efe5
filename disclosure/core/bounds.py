"""The range of dates the portal accepts from a visitor, in one place.

A date far in the past or future means nothing here, and the edges of Python's calendar break date
arithmetic (9999-12-31 plus one day, or plus twenty working days, overflows): every date read from a
form or a query parameter is held to these years, and refused with a Chinese message otherwise.
"""

from __future__ import annotations

from datetime import date

from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

YEAR_MIN, YEAR_MAX = 1900, 2999
DATE_MIN, DATE_MAX = date(YEAR_MIN, 1, 1), date(YEAR_MAX, 12, 31)
OUT_OF_RANGE = _("日期应在 %(min)s 年到 %(max)s 年之间。") % {"min": YEAR_MIN, "max": YEAR_MAX}


def date_in_range(value: date) -> bool:
    return DATE_MIN <= value <= DATE_MAX


# For forms.DateField(validators=DATE_VALIDATORS).
DATE_VALIDATORS = [
    MinValueValidator(DATE_MIN, message=OUT_OF_RANGE),
    MaxValueValidator(DATE_MAX, message=OUT_OF_RANGE),
]
