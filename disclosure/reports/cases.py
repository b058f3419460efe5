"""Table 4's figures from the register of review and litigation cases (``DisclosureCase``).

Which cases a year's report counts: those received in the year, and those received earlier that were
still undecided on 1 January (carried over), so that a case reported as 尚未审结 is reported again with
its outcome. The outcome is the one known on 31 December: a case decided later is 尚未审结 in that year's
report, whatever the register says today. One aggregate query.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q

from disclosure.reports.models import CaseKind, CaseOutcome, DisclosureCase

OUTCOME_KEYS = {CaseOutcome.UPHELD: "upheld", CaseOutcome.CORRECTED: "corrected", CaseOutcome.OTHER: "other"}


def cases_of_year(organisation_ids: list[int], year: int):
    """The cases a report of ``year`` counts (see the module docstring)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    return DisclosureCase.objects.filter(organisation_id__in=organisation_ids, received_on__lte=end).filter(
        Q(received_on__gte=start) | Q(decided_on__isnull=True) | Q(decided_on__gte=start)
    )


def case_counts(organisation_ids: list[int], year: int) -> dict[tuple[str, str], int]:
    """{(kind, outcome key): count} as table 4 of ``year`` reads them, outcome as of 31 December."""
    end = date(year, 12, 31)
    decided = Q(decided_on__lte=end)
    aggregates = {}
    for kind in CaseKind.values:
        of_kind = Q(kind=kind)
        for outcome, key in OUTCOME_KEYS.items():
            aggregates[f"{kind}:{key}"] = Count("id", filter=of_kind & decided & Q(outcome=outcome))
        aggregates[f"{kind}:pending"] = Count("id", filter=of_kind & ~decided)
    figures = cases_of_year(list(organisation_ids), year).aggregate(**aggregates)
    return {tuple(name.split(":")): count for name, count in figures.items()}
