"""The catalog metadata a record carries besides its index number: 主题分类 and 主题词.

国务院办公厅政府信息与政务公开办公室〔2019〕61号 asks that a record's header show 索引号, 主题分类, 发布机构,
成文日期, 文号 and 主题词. The 主题分类 are the first-level subject categories of the State Council's
government information catalogue (国务院政策文件库 / 政府信息公开目录, www.gov.cn); kept as choices
because the list is national and changes rarely. Housing bureaus use 城乡建设、环境保护 for most records.
"""

import re

from django.db import models
from django.utils.translation import gettext_lazy as _


class Topic(models.TextChoices):
    """主题分类: first level of the national government information catalogue (22 categories)."""

    ORGANISATION = "organisation", _("国务院组织机构")
    GENERAL = "general", _("综合政务")
    ECONOMY = "economy", _("国民经济管理、国有资产监管")
    FINANCE = "finance", _("财政、金融、审计")
    LAND = "land", _("国土资源、能源")
    AGRICULTURE = "agriculture", _("农业、林业、水利")
    INDUSTRY = "industry", _("工业、交通")
    COMMERCE = "commerce", _("商贸、海关、旅游")
    MARKET = "market", _("市场监管、安全生产监管")
    CONSTRUCTION = "construction", _("城乡建设、环境保护")
    SCIENCE = "science", _("科技、教育")
    CULTURE = "culture", _("文化、广电、新闻出版")
    HEALTH = "health", _("卫生、体育")
    POPULATION = "population", _("人口与计划生育、妇女儿童工作")
    LABOUR = "labour", _("劳动、人事、监察")
    SECURITY = "security", _("公安、安全、司法")
    CIVIL = "civil", _("民政、扶贫、救灾")
    ETHNIC = "ethnic", _("民族、宗教")
    FOREIGN = "foreign", _("对外事务")
    HMT = "hmt", _("港澳台侨工作")
    DEFENCE = "defence", _("国防")
    OTHER = "other", _("其他")


DEFAULT_TOPIC = Topic.CONSTRUCTION
KEYWORD_SEPARATORS = re.compile(r"[\s,，、;；]+")
KEYWORDS_MAX_LENGTH = 200


def split_keywords(text: str) -> list[str]:
    """The 主题词 of a record as a list: separated by spaces, commas, 、 or semicolons; duplicates dropped."""
    words: list[str] = []
    for word in KEYWORD_SEPARATORS.split(text or ""):
        if word and word not in words:
            words.append(word)
    return words


def normalise_keywords(text: str) -> str:
    """主题词 stored one way: separated by a single space."""
    return " ".join(split_keywords(text))


def keyword_condition(word: str, prefix: str = "") -> models.Q:
    """Records whose 主题词 include ``word`` as a whole word (stored space-separated, normalise_keywords)."""
    field = f"{prefix}keywords"
    return (
        models.Q(**{field: word})
        | models.Q(**{f"{field}__startswith": f"{word} "})
        | models.Q(**{f"{field}__endswith": f" {word}"})
        | models.Q(**{f"{field}__contains": f" {word} "})
    )
