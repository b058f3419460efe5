from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache

from disclosure.core.access import Role
from tests.disclosure.consultations.desk import COUNTY, TOWNSHIP, Desk
from tests.factories import CatalogNodeFactory, UserFactory, make_staff


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """The per-address rate limit lives in the cache: every test starts with none used."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files land in the test's own directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def decision_nodes(db):
    """The columns a consultation is filed under, made directly (loading the whole standard catalog per
    test only costs time): 保障性住房 › 重大决策 › 决策前预公开 (the default) and its siblings."""
    domain = CatalogNodeFactory(code="02", name="保障性住房", levels=["county", "township"])
    item = CatalogNodeFactory(code="0202", name="重大决策", parent=domain)
    return SimpleNamespace(
        domain=domain,
        item=item,
        default=CatalogNodeFactory(code="020201", name="决策前预公开", parent=item),
        meeting=CatalogNodeFactory(code="020202", name="决策会议公开", parent=item),
    )


@pytest.fixture
def people(demo_orgs, decision_nodes):
    """One account per kind of actor a consultation can meet, and the county's desk (editor + reviewer)."""
    county, township = demo_orgs[COUNTY], demo_orgs[TOWNSHIP]
    editor = make_staff(county, Role.EDITOR, username="editor", first_name="张晓梅")
    reviewer = make_staff(county, Role.REVIEWER, username="reviewer", first_name="李建国")
    return SimpleNamespace(
        county=county,
        township=township,
        nodes=decision_nodes,
        desk=Desk(county, editor=editor, reviewer=reviewer),
        editor=editor,
        editor2=make_staff(county, Role.EDITOR, username="editor2", first_name="王磊"),
        reviewer=reviewer,
        reviewer2=make_staff(county, Role.REVIEWER, username="reviewer2", first_name="陈静"),
        # Holds both roles: may write and review, but never open what they wrote any part of.
        both=make_staff(county, Role.EDITOR, Role.REVIEWER, username="both", first_name="赵敏"),
        auditor=make_staff(county, Role.AUDITOR, username="auditor"),
        orgadmin=make_staff(county, Role.ORG_ADMIN, username="orgadmin"),
        no_role=make_staff(county, username="no_role"),
        town_editor=make_staff(township, Role.EDITOR, username="town_editor"),
        town_reviewer=make_staff(township, Role.REVIEWER, username="town_reviewer"),
        superuser=UserFactory(username="root", is_superuser=True),
        anonymous=AnonymousUser(),
        nobody=None,
    )
