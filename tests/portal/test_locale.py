"""The translations Django's own catalogs lack (locale/zh_Hans, README "Language and translations"): the
committed .mo files say what the .po files say, and the admin serves them, to the server's pages and to
its JavaScript."""

from __future__ import annotations

import ast
import gettext
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

MESSAGES = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"
ENTRY = re.compile(r'^(msgctxt|msgid|msgstr) (".*")$')


def po_entries(path: Path) -> list[tuple[str | None, str, str]]:
    """(context, msgid, msgstr) of every entry but the header; multi-line strings joined."""
    entries, current, key = [], {}, None
    for line in path.read_text(encoding="utf-8").splitlines() + ["msgctxt \"\""]:
        match = ENTRY.match(line)
        if match:
            if match.group(1) in ("msgctxt", "msgid") and "msgstr" in current:
                entries.append(current)
                current = {}
            key = match.group(1)
            current[key] = ast.literal_eval(match.group(2))
        elif line.startswith('"') and key:
            current[key] += ast.literal_eval(line)
    return [(e.get("msgctxt"), e["msgid"], e["msgstr"]) for e in entries if e.get("msgid")]


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_the_committed_mo_file_matches_its_po_file(domain):
    """Run `make messages` after editing a .po: each entry's translation is in the compiled catalog."""
    catalog = gettext.GNUTranslations(open(MESSAGES / f"{domain}.mo", "rb"))
    entries = po_entries(MESSAGES / f"{domain}.po")
    assert entries
    for context, msgid, msgstr in entries:
        found = catalog.pgettext(context, msgid) if context else catalog.gettext(msgid)
        assert found == msgstr, (context, msgid)


def test_the_admin_strings_django_lacks_are_chinese():
    with translation.override("zh-hans"):
        assert translation.gettext("Model name") == "模型名称"
        assert translation.gettext("After you’ve created a user, you’ll be able to edit more user options.").startswith("创建用户后")
        assert "Control" not in translation.gettext("Hold down “Control”, or “Command” on a Mac, to select more than one.")


@pytest.mark.django_db
def test_the_admin_javascript_catalog_has_the_selector_strings(admin_client):
    """The two-box selector of groups and permissions reads "全选…", not "Choose all …"."""
    script = admin_client.get("/admin/jsi18n/").content.decode()
    for text in ("全选%s", "选中需要的%s"):
        assert text in script or json.dumps(text)[1:-1] in script, text
