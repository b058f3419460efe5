"""The one activity log auditors read (disclosure/core/log.py, disclosure/core/admin_log.py).

- Every action a log may name is registered, with a Chinese label, in ``disclosure.core.log.ACTIONS``;
  the writer refuses any other name, so a misspelt action fails a test.
- The admin list of ActivityEntry is read-only for everyone and scoped: an auditor reads their
  organisation and everything beneath it, an organisation administrator, reviewer or editor their own
  organisation only, a superuser everything.
- It filters by organisation, object type, actor, action and date, searches titles, and exports exactly
  the filtered rows as CSV (UTF-8 with BOM, Chinese headers and labels).
- Auditors and organisation administrators read the records' audit log (AuditEntry) in the same scope.
"""

from __future__ import annotations

import ast
import csv
import io
import re
from contextlib import nullcontext
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from unittest.mock import patch
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from catalog.models import OrgLevel
from disclosure.applications.models import ApplicationStatus
from disclosure.concerns.models import ConcernStatus
from disclosure.consultations.models import ConsultationStatus, Moderation
from disclosure.core.access import Role
from disclosure.core.log import ACTIONS, SUBJECT_STATUSES, SUBJECT_TYPES, ActivityEntry, action_label, check_action
from disclosure.records.models import AuditEntry
from tests.admin_client import client_for
from tests.factories import OrganisationFactory, UserFactory, make_staff

COUNTY = "419901"
TOWNSHIP = "419901001"
LIST_URL = reverse("admin:disclosure_activityentry_changelist")
EXPORT_URL = reverse("admin:disclosure_activityentry_export")
AUDIT_LIST_URL = reverse("admin:disclosure_auditentry_changelist")
SHANGHAI = ZoneInfo("Asia/Shanghai")
CJK = re.compile(r"[\u4e00-\u9fff]")



def write(organisation, title: str, *, subject_type="concern", action="create", user=None, when=None, **extra):
    # Setting up history: the entry is written as if at ``when``; the log (down to its database
    # triggers) refuses to change a saved row.
    with patch("django.utils.timezone.now", return_value=when) if when is not None else nullcontext():
        return ActivityEntry.write_for(
            SimpleNamespace(pk=len(title)),
            subject_type=subject_type,
            title=title,
            organisation_id=organisation.pk if organisation else None,
            user=user,
            action=action,
            **extra,
        )


def listed_titles(response) -> set[str]:
    return {entry.subject_title for entry in response.context["cl"].result_list}


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode()), "UTF-8 BOM first, so Excel reads Chinese"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.fixture
def world(demo_orgs):
    county, township = demo_orgs[COUNTY], demo_orgs[TOWNSHIP]
    other_county = OrganisationFactory(
        code="419902", name="邻县住房和城乡建设局", level=OrgLevel.COUNTY, parent=county.parent
    )
    w = SimpleNamespace(
        county=county,
        township=township,
        other_county=other_county,
        root=UserFactory(username="root", is_superuser=True),
        auditor=make_staff(county, Role.AUDITOR, username="auditor"),
        orgadmin=make_staff(county, Role.ORG_ADMIN, username="orgadmin"),
        reviewer=make_staff(county, Role.REVIEWER, username="reviewer"),
        editor=make_staff(county, Role.EDITOR, username="editor", first_name="李信息员"),
        town_admin=make_staff(township, Role.ORG_ADMIN, username="town_admin"),
        nobody=make_staff(county, username="no_role"),
    )
    w.county_entry = write(
        county, "县本级关切", action="close", user=w.editor, from_status="responded", to_status="closed",
        when=datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI),
    )
    w.county_consultation = write(
        county, "县本级意见征集", subject_type="consultation", action="open", user=w.reviewer,
        from_status="draft", to_status="open", when=datetime(2026, 5, 6, 9, 30, tzinfo=SHANGHAI),
    )
    w.county_application = write(
        county, "依申请公开 Q-1", subject_type="application", action="submit", user=None,
        to_status="received", when=datetime(2026, 5, 7, 15, 0, tzinfo=SHANGHAI),
    )
    w.township_entry = write(
        township, "城关镇关切", action="respond", user=w.town_admin, from_status="open", to_status="responded",
        when=datetime(2026, 5, 8, 11, 0, tzinfo=SHANGHAI),
    )
    w.other_entry = write(
        other_county, "邻县关切", action="close", user=None, when=datetime(2026, 5, 9, 8, 0, tzinfo=SHANGHAI)
    )
    return w


# ------------------------------------------------------------------------------------ the register


@pytest.mark.django_db
def test_an_unregistered_action_is_refused_and_nothing_is_written(demo_orgs):
    """A misspelt action raises ValueError in the writer and leaves no row behind."""
    with pytest.raises(ValueError, match="publsh"):
        write(demo_orgs[COUNTY], "拼错的操作", action="publsh")
    with pytest.raises(ValueError):
        ActivityEntry.write(
            actor=None, organisation=demo_orgs[COUNTY], subject_type="concern", subject_id=1,
            subject_title="直接写入", action="",
        )
    assert not ActivityEntry.objects.exists()


@pytest.mark.django_db
def test_a_registered_action_is_written_with_its_label(demo_orgs):
    """A registered name is written as given; the entry reads with its Chinese label."""
    entry = write(demo_orgs[COUNTY], "某关切", action="respond")
    assert entry.action == "respond"
    assert "登记回应" in str(entry)
    assert check_action("reply") == "reply"
    with pytest.raises(ValueError):
        check_action("Reply")


def test_action_names_fit_the_log():
    """Registered names are lower-case identifiers that fit the log's 30-character action column."""
    for name in ACTIONS:
        assert re.fullmatch(r"[a-z][a-z_]*", name) and len(name) <= ActivityEntry._meta.get_field("action").max_length
        assert len(name) <= AuditEntry._meta.get_field("action").max_length


def test_every_label_is_chinese():
    """Every action, object type and status label is Chinese text, with no Latin letters left in it."""
    labels = [*ACTIONS.values(), *SUBJECT_TYPES.values()]
    labels += [label for statuses in SUBJECT_STATUSES.values() for label in statuses.values()]
    for label in labels:
        assert CJK.search(str(label)) and not re.search(r"[A-Za-z]", str(label)), label


def test_known_labels_read_as_an_auditor_expects():
    """Spot checks of the table against the duties' own wording."""
    assert action_label("request_changes") == "退回修改"
    assert action_label("publish_feedback") == "公布采纳情况"
    assert action_label("notify_extension") == "登记延期告知"
    assert action_label("link_interpretation") == "关联所解读的政策文件"
    # An old row with a name that was never registered still shows what was written.
    assert action_label("legacy_name") == "legacy_name"


def _literal_log_actions() -> set[tuple[str, str]]:
    """(file, name) of every action name the code writes literally or declares as a move.

    Looks for: ``Transition("name", …)`` / ``Move("name", …)``; ``action="name"`` keywords; and the
    duties' log helpers (``_log…(obj, user, "name", …)``, ``_audit(obj, user, "name", …)``).
    """
    found = set()
    root = Path(settings.BASE_DIR) / "disclosure"
    for path in root.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name == "add_argument":  # argparse's action="store_true"
                continue
            candidates = []
            if name in ("Transition", "Move") and node.args:
                candidates.append(node.args[0])
            if (name.startswith("_log") or name.startswith("_audit")) and len(node.args) >= 3:
                candidates.append(node.args[2])
            candidates += [k.value for k in node.keywords if k.arg == "action"]
            for candidate in candidates:
                if isinstance(candidate, ast.Constant) and isinstance(candidate.value, str):
                    found.add((str(path.relative_to(root)), candidate.value))
    return found


def test_every_action_the_code_writes_is_registered():
    """No duty writes (or declares as a move) an action name missing from the register."""
    written = _literal_log_actions()
    assert {"submit", "publish", "respond", "moderate", "register"} <= {name for _file, name in written}
    missing = sorted((file, name) for file, name in written if name not in ACTIONS)
    assert not missing, missing


def test_status_labels_agree_with_the_duties_choices():
    """The log's status labels are those the duties' models give their statuses."""
    expected = {
        "concern": ConcernStatus,
        "consultation": ConsultationStatus,
        "consultation_comment": Moderation,
        "application": ApplicationStatus,
    }
    for subject_type, choices in expected.items():
        assert {k: str(v) for k, v in SUBJECT_STATUSES[subject_type].items()} == {
            value: str(label) for value, label in choices.choices
        }, subject_type
    assert set(SUBJECT_TYPES) == set(SUBJECT_STATUSES)


def test_every_subject_type_written_is_registered():
    """The object types the duties log under (``subject_type=`` literals or module constants) all have a label."""
    root = Path(settings.BASE_DIR) / "disclosure"
    trees = [
        ast.parse(path.read_text(), str(path))
        for path in root.rglob("*.py")
        if "migrations" not in path.parts and path.parent.name != "core"
    ]
    constants: dict[str, set[str]] = {}
    aliases: dict[str, set[str]] = {}  # SUBJECT = LOG_SUBJECT
    for tree in trees:
        for node in tree.body:
            if not isinstance(node, ast.Assign):
                continue
            for target in (t for t in node.targets if isinstance(t, ast.Name)):
                if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                    constants.setdefault(target.id, set()).add(node.value.value)
                elif isinstance(node.value, ast.Name):
                    aliases.setdefault(target.id, set()).add(node.value.id)
    for alias, originals in aliases.items():
        for original in originals:
            constants.setdefault(alias, set()).update(constants.get(original, set()))
    written = set()
    for tree in trees:
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            for keyword in node.keywords:
                if keyword.arg != "subject_type":
                    continue
                value = keyword.value
                if isinstance(value, ast.Constant):
                    written.add(value.value)
                name = value.id if isinstance(value, ast.Name) else value.attr if isinstance(value, ast.Attribute) else ""
                written |= constants.get(name, set())
    assert {"concern", "consultation", "consultation_comment", "service_guide", "application"} <= written
    assert written <= set(SUBJECT_TYPES), written - set(SUBJECT_TYPES)


# ------------------------------------------------------------------------------------ who reads what


@pytest.mark.django_db
def test_every_role_holds_the_view_permission():
    """After migrate the four role groups may view the activity log (and none may change it)."""
    for role in Role:
        codenames = set(Group.objects.get(name=role.value).permissions.values_list("codename", flat=True))
        assert "view_activityentry" in codenames, role
        assert not {"add_activityentry", "change_activityentry", "delete_activityentry"} & codenames, role


@pytest.mark.django_db
def test_a_county_auditor_reads_the_county_and_its_townships_only(world):
    """The county's auditor sees the county's and the townships' entries, not the other county's."""
    response = client_for(world.auditor).get(LIST_URL)
    assert response.status_code == 200
    assert listed_titles(response) == {"县本级关切", "县本级意见征集", "依申请公开 Q-1", "城关镇关切"}
    assert "邻县关切" not in response.content.decode()


@pytest.mark.django_db
def test_an_organisation_administrator_reads_their_own_organisation_only(world):
    """A county's organisation administrator sees the county's entries, not its townships' nor another's."""
    response = client_for(world.orgadmin).get(LIST_URL)
    assert response.status_code == 200
    assert listed_titles(response) == {"县本级关切", "县本级意见征集", "依申请公开 Q-1"}
    township_admin = client_for(world.town_admin).get(LIST_URL)
    assert listed_titles(township_admin) == {"城关镇关切"}


@pytest.mark.django_db
def test_editors_and_reviewers_read_their_own_organisation_only(world):
    """Decision: editors and reviewers, who handle these duties, read their own organisation's log."""
    for user in (world.editor, world.reviewer):
        response = client_for(user).get(LIST_URL)
        assert response.status_code == 200
        assert listed_titles(response) == {"县本级关切", "县本级意见征集", "依申请公开 Q-1"}


@pytest.mark.django_db
def test_a_superuser_reads_everything(world):
    """A superuser's list holds every organisation's entries."""
    response = client_for(world.root).get(LIST_URL)
    assert listed_titles(response) == {"县本级关切", "县本级意见征集", "依申请公开 Q-1", "城关镇关切", "邻县关切"}


@pytest.mark.django_db
def test_staff_without_a_role_and_visitors_read_nothing(world):
    """An account without a role is refused; a visitor is sent to the login page."""
    assert client_for(world.nobody).get(LIST_URL).status_code == 403
    assert client_for(world.nobody).get(EXPORT_URL).status_code == 403
    response = Client().get(LIST_URL)
    assert response.status_code == 302 and "/login/" in response["Location"]
    response = Client().get(EXPORT_URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.django_db
def test_an_entry_outside_the_scope_does_not_open(world):
    """The detail of another organisation's entry is not shown (the admin redirects with a notice)."""
    url = reverse("admin:disclosure_activityentry_change", args=[world.other_entry.pk])
    response = client_for(world.auditor).get(url)
    assert response.status_code == 302
    own = client_for(world.auditor).get(reverse("admin:disclosure_activityentry_change", args=[world.township_entry.pk]))
    assert own.status_code == 200
    page = own.content.decode()
    assert "城关镇关切" in page and "登记回应" in page and "待回应" in page and "已回应" in page


# ------------------------------------------------------------------------------------ read-only


@pytest.mark.django_db
def test_nobody_adds_changes_or_deletes_entries(world):
    """No add button, no bulk actions; adding, changing and deleting are refused, even for a superuser."""
    entry = world.county_entry
    change_url = reverse("admin:disclosure_activityentry_change", args=[entry.pk])
    delete_url = reverse("admin:disclosure_activityentry_delete", args=[entry.pk])
    add_url = reverse("admin:disclosure_activityentry_add")
    for user in (world.root, world.auditor, world.orgadmin, world.editor):
        client = client_for(user)
        page = client.get(LIST_URL).content.decode()
        assert add_url not in page and 'name="action"' not in page
        assert client.get(add_url).status_code == 403
        assert client.post(add_url, {"subject_title": "伪造"}).status_code == 403
        assert client.post(change_url, {"subject_title": "改写", "action": "approve"}).status_code == 403
        assert client.get(delete_url).status_code == 403
        assert client.post(delete_url, {"post": "yes"}).status_code == 403
        bulk = client.post(LIST_URL, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"})
        assert bulk.status_code < 500
    entry.refresh_from_db()
    assert entry.subject_title == "县本级关切" and entry.action == "close"
    assert ActivityEntry.objects.count() == 5


# ------------------------------------------------------------------------------------ filters


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ({"subject_type": "consultation"}, {"县本级意见征集"}),
        ({"action": "close"}, {"县本级关切"}),
        ({"actor_name": "李信息员"}, {"县本级关切"}),
        ({"actor_name": "系统"}, {"依申请公开 Q-1"}),
        ({"organisation__id__exact": "TOWNSHIP"}, {"城关镇关切"}),
        ({"created_at__year": "2026", "created_at__month": "5"}, {"县本级意见征集", "依申请公开 Q-1", "城关镇关切"}),
        ({"created_at__year": "2026", "created_at__month": "5", "created_at__day": "8"}, {"城关镇关切"}),
        ({"q": "意见征集"}, {"县本级意见征集"}),
        ({"subject_type": "concern", "q": "城关"}, {"城关镇关切"}),
    ],
)
def test_filters_narrow_the_auditors_list(world, query, titles):
    """Each filter (organisation, object type, actor, action, date) and the title search narrow the list."""
    query = {k: (str(world.township.pk) if v == "TOWNSHIP" else v) for k, v in query.items()}
    response = client_for(world.auditor).get(LIST_URL, query)
    assert response.status_code == 200
    assert listed_titles(response) == titles


@pytest.mark.django_db
def test_filter_choices_are_chinese_and_within_scope(world):
    """Object types and actions are offered by their Chinese labels; no organisation or actor out of scope."""
    page = client_for(world.auditor).get(LIST_URL).content.decode()
    for label in ("回应关切", "意见征集", "依申请公开", "办结（结束）", "开始征求意见", "登记回应", "提交"):
        assert label in page, label
    assert "邻县住房和城乡建设局" not in page
    org_admin_page = client_for(world.orgadmin).get(LIST_URL).content.decode()
    assert "town_admin" not in org_admin_page and "城关镇关切" not in org_admin_page


@pytest.mark.django_db
def test_filtering_another_organisation_shows_nothing(world):
    """Asking by URL for an organisation outside the scope yields no rows, not that organisation's log."""
    client = client_for(world.orgadmin)
    for org in (world.township, world.other_county):
        response = client.get(LIST_URL, {"organisation__id__exact": org.pk})
        assert response.status_code == 200
        assert listed_titles(response) == set()
        rows = csv_rows(client.get(EXPORT_URL, {"organisation__id__exact": org.pk}))
        assert rows[1:] == []


# ------------------------------------------------------------------------------------ export


@pytest.mark.django_db
def test_the_export_holds_exactly_the_filtered_rows_in_chinese(world):
    """Under the list's filters the CSV has the same rows, with Chinese headers and labels."""
    client = client_for(world.auditor)
    query = {"subject_type": "concern", "created_at__year": "2026"}
    listed = listed_titles(client.get(LIST_URL, query))
    response = client.get(EXPORT_URL, query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0] == ["时间", "单位", "对象类型", "对象编号", "对象名称", "操作", "原状态", "新状态", "操作人", "说明"]
    assert {row[4] for row in rows[1:]} == listed == {"县本级关切", "城关镇关切"}
    by_title = {row[4]: row for row in rows[1:]}
    assert by_title["县本级关切"][:3] == ["2026-03-02 10:00:00", "清河县住房和城乡建设局", "回应关切"]
    assert by_title["县本级关切"][5:9] == ["办结（结束）", "已回应", "已办结", "李信息员"]
    assert by_title["城关镇关切"][1] == "清河县城关镇人民政府"
    assert by_title["城关镇关切"][5:8] == ["登记回应", "待回应", "已回应"]


@pytest.mark.django_db
def test_the_export_follows_search_and_scope_and_ignores_paging(world):
    """Search narrows the export; the page number does not; nothing outside the scope is ever exported."""
    client = client_for(world.auditor)
    rows = csv_rows(client.get(EXPORT_URL, {"q": "关切", "p": "2"}))
    assert {row[4] for row in rows[1:]} == {"县本级关切", "城关镇关切"}
    everything = csv_rows(client.get(EXPORT_URL))
    assert {row[4] for row in everything[1:]} == {"县本级关切", "县本级意见征集", "依申请公开 Q-1", "城关镇关切"}
    application = next(row for row in everything if row[4] == "依申请公开 Q-1")
    assert application[2] == "依申请公开" and application[5] == "提交" and application[7] == "办理中"
    assert application[8] == "系统"


@pytest.mark.django_db
def test_the_list_links_to_the_export_of_its_filters(world):
    """The list's export link carries the list's query string."""
    page = client_for(world.auditor).get(LIST_URL, {"subject_type": "concern"}).content.decode()
    assert f"{EXPORT_URL}?subject_type=concern" in page


@pytest.mark.django_db
def test_a_formula_in_a_title_is_exported_as_text(world):
    """A title starting with "=" is written with a leading apostrophe, so a spreadsheet shows it as text."""
    write(world.county, "=HYPERLINK(\"http://x\")", action="create")
    rows = csv_rows(client_for(world.orgadmin).get(EXPORT_URL, {"q": "HYPERLINK"}))
    assert [row[4] for row in rows[1:]] == ["'=HYPERLINK(\"http://x\")"]


# ------------------------------------------------------------------------------------ every page


@pytest.mark.django_db
def test_no_page_fails_for_any_role(world):
    """GET and POST every activity-log page, with good and bad parameters, as every role: never a 5xx."""
    own, other = world.county_entry.pk, world.other_entry.pk
    urls = [
        LIST_URL,
        LIST_URL + "?subject_type=nonsense&action=nonsense&actor_name=x",
        LIST_URL + "?created_at__year=abc",
        LIST_URL + "?created_at__year=2026&created_at__month=13",
        LIST_URL + "?organisation__id__exact=abc",
        LIST_URL + "?o=99&p=999&q=%00",
        LIST_URL + "?unknown_field=1",
        EXPORT_URL,
        EXPORT_URL + "?created_at__year=abc",
        EXPORT_URL + "?unknown_field=1",
        EXPORT_URL + "?organisation__id__exact=abc",
        reverse("admin:disclosure_activityentry_add"),
        reverse("admin:disclosure_activityentry_change", args=[own]),
        reverse("admin:disclosure_activityentry_change", args=[other]),
        reverse("admin:disclosure_activityentry_change", args=["abc"]),
        reverse("admin:disclosure_activityentry_history", args=[own]),
        reverse("admin:disclosure_activityentry_delete", args=[own]),
        AUDIT_LIST_URL,
        reverse("admin:index"),
        reverse("admin:app_list", args=["disclosure"]),
    ]
    users = [world.root, world.auditor, world.orgadmin, world.reviewer, world.editor, world.town_admin, world.nobody]
    for user in users:
        client = client_for(user)
        for url in urls:
            for method in (client.get, client.post):
                response = method(url)
                if hasattr(response, "streaming_content"):
                    b"".join(response.streaming_content)
                assert response.status_code < 500, (user.username, method.__name__, url, response.status_code)
    for url in urls:
        assert Client().get(url).status_code < 500, url


@pytest.mark.django_db
def test_bad_filter_values_in_the_export_are_refused_in_chinese(world):
    """A malformed date in the export's query string is a 400 with a Chinese message, not a 500."""
    response = client_for(world.auditor).get(EXPORT_URL, {"created_at__year": "abc"})
    assert response.status_code == 400
    assert "筛选条件无效" in response.content.decode()


@pytest.mark.django_db
def test_the_admin_index_offers_the_log_to_auditors(world):
    """The activity log appears in the admin menu of an auditor, by its Chinese name."""
    page = client_for(world.auditor).get(reverse("admin:index")).content.decode()
    assert LIST_URL in page and "业务操作日志" in page


# ------------------------------------------------------------------------------------ the records' log


@pytest.mark.django_db
def test_auditors_and_organisation_administrators_read_the_records_audit_log(world):
    """The records' AuditEntry list is open to auditors (county and townships) and org admins (own only)."""
    for organisation, title in ((world.county, "县本级信息"), (world.township, "城关镇信息"), (world.other_county, "邻县信息")):
        AuditEntry.write(actor=None, record=None, record_title=title, organisation=organisation, action="create")
    auditor = client_for(world.auditor).get(AUDIT_LIST_URL)
    assert auditor.status_code == 200
    assert {e.record_title for e in auditor.context["cl"].result_list} == {"县本级信息", "城关镇信息"}
    org_admin = client_for(world.orgadmin).get(AUDIT_LIST_URL)
    assert org_admin.status_code == 200
    assert {e.record_title for e in org_admin.context["cl"].result_list} == {"县本级信息"}
