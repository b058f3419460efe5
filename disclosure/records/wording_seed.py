"""The starting list of 错敏词, loaded by migration 0007 and by ``manage.py load_wording_rules``; staff
extend and correct it in the admin (a reload adds missing phrases and never changes an existing row).

Sources: common misspellings in official documents (the pairs the site-check tools and proofreading
guides list), the 《现代汉语词典》 / 《第一批异形词整理表》 preferred forms (账/帐, 度假/渡假), and the
Xinhua News Agency's list of prohibited and cautioned expressions (新华社新闻信息报道中的禁用词和慎用词)
for references to Taiwan, Korea and disability.
Each entry: (phrase, kind, suggestion, exceptions, note).
"""

WRONG, IMPROPER, SENSITIVE = "wrong", "improper", "sensitive"

SEED_RULES: list[tuple[str, str, str, str, str]] = [
    # 错别字 (the wrong form is never right in an official document, except inside the listed words).
    ("按排", WRONG, "安排", "按排名、按排序、按排列、按排放", ""),
    ("布署", WRONG, "部署", "", ""),
    ("既使", WRONG, "即使", "既使得", ""),
    ("必竟", WRONG, "毕竟", "", ""),
    ("峻工", WRONG, "竣工", "", "工程竣工验收"),
    ("公基金", WRONG, "公积金", "", "住房公积金"),
    ("装璜", WRONG, "装潢", "", ""),
    ("防碍", WRONG, "妨碍", "", ""),
    ("幅射", WRONG, "辐射", "", ""),
    ("急燥", WRONG, "急躁", "", ""),
    ("松驰", WRONG, "松弛", "", ""),
    ("贯切", WRONG, "贯彻", "", "贯彻落实"),
    ("坐阵", WRONG, "坐镇", "", ""),
    ("气慨", WRONG, "气概", "", ""),
    ("重迭", WRONG, "重叠", "", ""),
    ("国藉", WRONG, "国籍", "", ""),
    ("化装品", WRONG, "化妆品", "", ""),
    ("凑和", WRONG, "凑合", "", ""),
    ("发韧", WRONG, "发轫", "", ""),
    ("坐谈会", WRONG, "座谈会", "", ""),
    ("一如继往", WRONG, "一如既往", "", ""),
    ("再接再励", WRONG, "再接再厉", "", ""),
    ("迫不急待", WRONG, "迫不及待", "", ""),
    ("一股作气", WRONG, "一鼓作气", "", ""),
    ("精兵减政", WRONG, "精兵简政", "", ""),
    ("不径而走", WRONG, "不胫而走", "", ""),
    ("默守成规", WRONG, "墨守成规", "", ""),
    ("出奇不意", WRONG, "出其不意", "", ""),
    ("针贬时弊", WRONG, "针砭时弊", "", ""),
    ("按步就班", WRONG, "按部就班", "", ""),
    ("一愁莫展", WRONG, "一筹莫展", "", ""),
    ("走头无路", WRONG, "走投无路", "", ""),
    ("百废具兴", WRONG, "百废俱兴", "", ""),
    ("既往不究", WRONG, "既往不咎", "", ""),
    ("不加思索", WRONG, "不假思索", "", ""),
    ("指手划脚", WRONG, "指手画脚", "", ""),
    ("事必恭亲", WRONG, "事必躬亲", "", ""),
    ("声名雀起", WRONG, "声名鹊起", "", ""),
    ("甘败下风", WRONG, "甘拜下风", "", ""),
    # 不规范表述 (a usage the norms or the official style prefer otherwise).
    ("截止目前", IMPROPER, "截至目前", "", "“截至”表示到某一时间为止，“截止”后不带时间"),
    ("截止到", IMPROPER, "截至", "", ""),
    ("反应问题", IMPROPER, "反映问题", "", ""),
    ("报导", IMPROPER, "报道", "", "《第一批异形词整理表》推荐“报道”"),
    ("签定", IMPROPER, "签订", "", "签订合同、协议"),
    ("帐户", IMPROPER, "账户", "", "《现代汉语词典》以“账”表示财物出入的记载"),
    ("帐号", IMPROPER, "账号", "", ""),
    ("渡假", IMPROPER, "度假", "", ""),
    ("一带一路战略", IMPROPER, "“一带一路”倡议", "", "官方表述为“倡议”，不称“战略”"),
    # 敏感或不当表述 (新华社禁用词和慎用词).
    ("台湾总统", SENSITIVE, "台湾地区领导人", "", "不得称台湾地区领导人为“总统”"),
    ("台湾政府", SENSITIVE, "台湾当局", "", ""),
    ("台湾国", SENSITIVE, "台湾地区", "", ""),
    ("中华民国", SENSITIVE, "", "", "1949年10月1日以后不得使用；史实表述须加引号并注明"),
    ("北朝鲜", SENSITIVE, "朝鲜", "", ""),
    ("南朝鲜", SENSITIVE, "韩国", "", ""),
    ("残废人", SENSITIVE, "残疾人", "", ""),
    ("瞎子", SENSITIVE, "盲人", "", ""),
    ("聋子", SENSITIVE, "聋人", "", ""),
    ("哑巴", SENSITIVE, "聋哑人", "", ""),
    ("弱智", SENSITIVE, "智力障碍者", "", ""),
]

def seed_wording_rules(rule_model) -> int:
    """Add the seed phrases that are missing (``rule_model``: the model, historical in migrations)."""
    existing = set(rule_model.objects.values_list("phrase", flat=True))
    new = [
        rule_model(phrase=phrase, kind=kind, suggestion=suggestion, exceptions=exceptions, note=note)
        for phrase, kind, suggestion, exceptions, note in SEED_RULES
        if phrase not in existing
    ]
    rule_model.objects.bulk_create(new)
    return len(new)
