"""A world holding a consultation in every state, and public-looking ones hidden by a switched-off
column, domain or organisation, each carrying marker words everywhere (title, summary, body, file name,
comments), to prove that only the public ones reach any public surface."""

from __future__ import annotations

from types import SimpleNamespace

from catalog.models import CatalogNode, Organisation
from disclosure.consultations import services
from disclosure.consultations.models import Consultation, Moderation
from tests.disclosure.consultations.desk import CLOSED_TOWNSHIP, COUNTY, TOWNSHIP, Desk, pdf

LEAK_WORDS = "公租房意见征集泄露检查"
# key → the state it is brought to; every key is letters only, so that its marker is one search term.
STATE_KEYS = {
    "draft": "draft",
    "open": "open",
    "notyet": "open_not_yet",  # opened, its opening time still ahead
    "ended": "open_ended",  # still marked open, its window over
    "closed": "closed",
    "feedback": "feedback_published",
}
PUBLIC_KEYS = {"open", "ended", "closed", "feedback", "township"}
HIDDEN_NODE = "020202"  # 保障性住房 › 重大决策 › 决策会议公开, switched off
HIDDEN_DOMAIN = "01"  # 国有土地上房屋征收, switched off with everything under it
UNDER_HIDDEN_DOMAIN = "010205"  # 房屋征收决定


def marker(key: str) -> str:
    return "mkc" + key


def comment_marker(key: str, moderation: str) -> str:
    return f"mkc{moderation}{key}"


def consultation_leak_world(demo_orgs) -> SimpleNamespace:
    """Consultations in every state of the county (STATE_KEYS), one open in a township, and open ones
    hidden by a switched-off column ("inactivenode"), domain ("inactivedomain") and organisation
    ("inactiveorg"). Only PUBLIC_KEYS are public. Every consultation carries its marker in title, summary,
    body and file name; each that was ever open for comment received one comment of each moderation
    (shown, pending, hidden), marked with ``comment_marker``."""
    county = Desk(demo_orgs[COUNTY])
    township = Desk(demo_orgs[TOWNSHIP])
    closed_township = Desk(demo_orgs[CLOSED_TOWNSHIP])

    def receive_comments(key):
        def receive(consultation, moment):
            for moderation in Moderation.values:
                comment = services.comment_submit(
                    consultation=consultation,
                    name="王先生",
                    contact="13800000000",
                    text=f"{LEAK_WORDS}意见 {comment_marker(key, moderation)}",
                    now=moment,
                )
                if moderation != Moderation.PENDING:
                    services.comment_moderate(
                        user=consultation_desk[key].editor, comment=comment, moderation=moderation, reason="含个人信息"
                    )
        return receive

    def make(key, state, desk, node=None) -> Consultation:
        consultation_desk[key] = desk
        return desk.bring_to(
            state,
            while_open=receive_comments(key),
            node=node,
            title=f"关于{LEAK_WORDS}的决策草案 {marker(key)}",
            summary=f"起草说明 {marker(key)}",
            body=f"<p>{LEAK_WORDS}草案正文 {marker(key)}</p>",
            files=[pdf(f"{marker(key)}.pdf")],
        )

    consultation_desk: dict[str, Desk] = {}
    consultations = {key: make(key, state, county) for key, state in STATE_KEYS.items()}
    consultations["township"] = make("township", "open", township)
    consultations["inactivenode"] = make("inactivenode", "open", county, HIDDEN_NODE)
    consultations["inactivedomain"] = make("inactivedomain", "open", county, UNDER_HIDDEN_DOMAIN)
    consultations["inactiveorg"] = make("inactiveorg", "open", closed_township)
    # Switching off a column, a domain or an organisation hides what is under it without any
    # consultation service running.
    CatalogNode.objects.filter(code__in=[HIDDEN_NODE, HIDDEN_DOMAIN]).update(is_active=False)
    Organisation.objects.filter(code=CLOSED_TOWNSHIP).update(is_active=False)
    for consultation in consultations.values():
        consultation.refresh_from_db()
    return SimpleNamespace(consultations=consultations, desks=consultation_desk)
