"""Reads of policy interpretation links for the public pages.

Both sides of a link are shown only when public: every read goes through
``disclosure.records.selectors.public_records()`` (THE public rule, itself built on
``disclosure.core.visibility``). Links match by index number, so that a revision (which takes over its
original's index number) keeps them.
"""

from __future__ import annotations

from django.db.models import OuterRef, Subquery

from disclosure.records.models import Interpretation, InterpretationForm, Record, RecordType
from disclosure.records.selectors import public_records


def interpretation_links(record: Record) -> dict:
    """The public counterparts of a public record: ``policy`` (the public policy an interpretation
    explains, or None) and ``interpretations`` (public interpretations of a policy, each with
    ``form_label``). One query whatever the data."""
    result = {"policy": None, "interpretations": []}
    if not record.index_number:
        return result
    if record.record_type == RecordType.INTERPRETATION:
        # An interpretation has a policy, never interpretations of its own (interpretation_validate).
        result["policy"] = (
            public_records()
            .filter(
                index_number__in=Interpretation.objects.filter(
                    record__index_number=record.index_number, policy__index_number__gt=""
                ).values("policy__index_number")
            )
            .exclude(pk=record.pk)
            .select_related("organisation")
            .first()
        )
        return result
    forms = Interpretation.objects.filter(record__index_number=OuterRef("index_number")).values("form")[:1]
    interpretations = list(
        public_records()
        .filter(
            index_number__in=Interpretation.objects.filter(
                policy__index_number=record.index_number, record__index_number__gt=""
            ).values("record__index_number")
        )
        .exclude(pk=record.pk)
        .annotate(interpretation_form=Subquery(forms))
        .select_related("organisation")
        .order_by("published_at", "id")
    )
    for interpretation in interpretations:
        interpretation.form_label = (
            InterpretationForm(interpretation.interpretation_form).label
            if interpretation.interpretation_form in InterpretationForm.values
            else ""
        )
    result["interpretations"] = interpretations
    return result
