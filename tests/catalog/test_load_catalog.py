"""Loading the standard catalog: counts, completeness, idempotence, and local work surviving a reload."""

import copy
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from catalog.models import CatalogNode, ColumnSetting, Method, NodeChannel, Origin, Provenance, TimeLimitTrigger
from catalog.services import catalog_load_standard, read_fixture
from tests.factories import CatalogNodeFactory, OrganisationFactory

GUIDELINE_ITEMS = {
    "国有土地上房屋征收": ["法规政策", "征收", "评估", "补偿"],
    "保障性住房": [
        "法规政策", "重大决策", "规划计划", "建设管理", "配给管理",
        "配后管理", "办事指南", "政策解读", "回应关切", "评价结果",
    ],
    "农村危房改造": ["部门文件", "条件与标准", "对象认定"],
    "市政服务": ["市政设施建设类审批", "燃气经营许可证审批", "供热服务类审批"],
}

SECOND_LEVEL_ATTRIBUTES = (
    "content", "basis", "time_limit_text", "subject", "channels_text",
    "audience", "audience_scope", "method", "levels", "provenance",
)


def snapshot():
    nodes = CatalogNode.objects.order_by("code").values()
    links = NodeChannel.objects.order_by("node__code", "channel__code").values_list(
        "node__code", "channel__code", "required", "note"
    )
    return json.dumps([list(nodes), list(links)], default=str)


@pytest.mark.django_db
def test_loads_four_domains_twenty_items_fortyfive_second_level():
    """The guideline's 4 domains and 20 first-level items, named exactly, and all 45 second-level items."""
    catalog_load_standard()
    domains = CatalogNode.objects.filter(level=0).order_by("sort_order")
    assert [d.name for d in domains] == list(GUIDELINE_ITEMS)
    for domain in domains:
        assert [i.name for i in domain.get_children()] == GUIDELINE_ITEMS[domain.name]
    assert CatalogNode.objects.filter(level=1).count() == 20
    assert CatalogNode.objects.filter(level=2).count() == 45


@pytest.mark.django_db
def test_no_second_level_attribute_is_empty():
    """Every second-level item carries every attribute of the catalog, structured where reports compute."""
    catalog_load_standard()
    for node in CatalogNode.objects.filter(level=2).prefetch_related("node_channels"):
        for name in SECOND_LEVEL_ATTRIBUTES:
            assert getattr(node, name), f"{node.code} {node.name}: {name} is empty"
        assert node.node_channels.exists(), f"{node.code}: no structured channel"
        assert node.provenance in {Provenance.SOURCED, Provenance.PARTIAL, Provenance.RECONSTRUCTED}
        assert node.time_limit_days == 20
        assert node.time_limit_trigger in {TimeLimitTrigger.FORMED, TimeLimitTrigger.APPLICATION}


@pytest.mark.django_db
def test_structured_values_follow_the_published_text():
    """On-application items start their clock on application; ■ is required and □ optional."""
    catalog_load_standard()
    start = CatalogNode.objects.get(name="启动要件")
    assert start.method == Method.ON_APPLICATION
    assert start.time_limit_trigger == TimeLimitTrigger.APPLICATION
    survey = CatalogNode.objects.get(name="房屋调查登记")
    channels = {link.channel.code: link.required for link in survey.node_channels.select_related("channel")}
    assert channels == {"on_site": True, "notice_board": False}
    rural = CatalogNode.objects.get(name="危改户认定程序")
    assert rural.levels == ["county", "township", "village"]


@pytest.mark.django_db
def test_reload_changes_nothing():
    """Running load_catalog twice leaves the database exactly as after the first run."""
    call_command("load_catalog", stdout=open("/dev/null", "w"))
    before = snapshot()
    report = catalog_load_standard()
    assert not report.changed
    assert snapshot() == before


@pytest.mark.django_db
def test_extras_not_loaded_by_default():
    catalog_load_standard()
    assert not CatalogNode.objects.filter(name="城市园林绿化管理").exists()
    catalog_load_standard(include_extras=True)
    assert CatalogNode.objects.get(name="城市园林绿化管理").parent.name == "市政服务"


@pytest.mark.django_db
def test_every_node_of_the_guideline_is_standard():
    """The 4 domains, 20 first-level and 45 second-level items are the platform's 标准目录, none local;
    the extra items of other provinces' copies are 参考各地目录补充."""
    catalog_load_standard(include_extras=True)
    guideline = CatalogNode.objects.filter(code__regex=r"^0[1-4]([0-9]{2}){0,2}$").exclude(
        code__in=["0304", "0305", "0404"]
    ).exclude(code__startswith="0304").exclude(code__startswith="0305").exclude(code__startswith="0404")
    assert guideline.count() == 4 + 20 + 45
    assert set(guideline.values_list("origin", flat=True)) == {Origin.STANDARD}
    assert guideline.get(code="01").provenance == Provenance.SOURCED
    assert guideline.get(code="0101").provenance == Provenance.SOURCED
    extras = CatalogNode.objects.filter(code__in=["0304", "0305", "0404"])
    assert set(extras.values_list("origin", flat=True)) == {Origin.SUPPLEMENT}
    assert not CatalogNode.objects.filter(origin=Origin.LOCAL).exists()


@pytest.mark.django_db
def test_reload_restores_standard_fields_and_keeps_local_items():
    """An edit of a standard node (name switched, item switched off by renaming, channel loosened) is
    undone by a reload; an organisation's local item and its column setting survive."""
    catalog_load_standard()
    county = OrganisationFactory(code="419901")
    item = CatalogNode.objects.get(name="配给管理", level=1)
    local = CatalogNodeFactory(
        code="QH-peizu-1", name="公租房轮候名单", parent=item, origin=Origin.LOCAL, owner=county
    )
    setting = ColumnSetting.objects.create(organisation=county, node=item, shown=False, note="本县不设")
    edited = CatalogNode.objects.get(name="租金标准")
    edited.basis = "本县公租房租金管理办法"
    edited.origin = Origin.LOCAL
    edited.save()
    edited.node_channels.filter(channel__code="website").update(required=False)
    domain = CatalogNode.objects.get(code="01")
    domain.name = "房屋征收（改）"
    domain.save()

    report = catalog_load_standard()

    assert CatalogNode.objects.get(pk=local.pk).name == "公租房轮候名单"
    assert ColumnSetting.objects.get(pk=setting.pk).note == "本县不设"
    edited.refresh_from_db()
    assert edited.basis == "《公共租赁住房管理办法》；建保〔2019〕55号"
    assert edited.origin == Origin.STANDARD
    assert edited.node_channels.get(channel__code="website").required
    assert CatalogNode.objects.get(code="01").name == "国有土地上房屋征收"
    assert sorted(report.restored) == sorted([edited.code, "01"])
    assert not report.updated
    assert not catalog_load_standard().changed


@pytest.mark.django_db
def test_standard_changes_reach_every_standard_node():
    """When the standard itself changes, the new value replaces whatever the node holds."""
    fixture = read_fixture()
    catalog_load_standard(fixture=fixture)
    node = CatalogNode.objects.get(name="租金标准")
    node.subject = "清河县住房保障中心"
    node.save()

    changed = copy.deepcopy(fixture)
    row = changed["domains"][1]["children"][5]["children"][0]
    assert row["name"] == "租金标准"
    row["subject"] = "住房保障部门（新）"
    row["content"] = "公租房租金标准、调整情况及依据"
    report = catalog_load_standard(fixture=changed)

    node.refresh_from_db()
    assert node.subject == "住房保障部门（新）"
    assert node.content == "公租房租金标准、调整情况及依据"
    assert report.updated == [node.code]
    assert not catalog_load_standard(fixture=changed).changed


def test_fixture_is_built_from_the_reference_yaml():
    """fixtures/standard-catalog.json is what build_catalog_fixture makes of the reference YAML."""
    import yaml
    from django.conf import settings

    from catalog.fixture import build

    source = Path(settings.BASE_DIR) / "fixtures" / "source" / "standard-catalog.yaml"
    assert build(yaml.safe_load(source.read_text(encoding="utf-8"))) == read_fixture()


def test_vendored_reference_yaml_is_the_shared_one():
    """The copy in fixtures/source/ is byte for byte the reference table, where that is at hand."""
    from django.conf import settings

    shared = Path(settings.BASE_DIR).parent / "shared" / "reference" / "standard-catalog.yaml"
    if not shared.exists():
        pytest.skip("../shared/reference is not beside this checkout")
    vendored = Path(settings.BASE_DIR) / "fixtures" / "source" / "standard-catalog.yaml"
    assert vendored.read_bytes() == shared.read_bytes()
