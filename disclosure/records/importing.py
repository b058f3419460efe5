"""Bringing the history in: a bureau's published records from its old site, from a spreadsheet and a zip of
attachments (issue 11).

The spreadsheet (.xlsx, first sheet, or .csv in UTF-8 or GBK) has a header row naming its columns:

| column | required | meaning |
|---|---|---|
| 标题 | yes | the title |
| 栏目编码 | yes | the catalog column's code (e.g. 020502) |
| 信息形成日期 | no (default: 发布日期) | the day the information was formed or changed |
| 发布日期 | yes | the original publication date (time optional), kept |
| 索引号 | no | the original index number, kept: "<单位代码>/<序号>"; else one is given |
| 文号, 发文机关, 成文日期, 内容概述 | no | as on the record form |
| 有效性 | no (现行有效) | 现行有效 / 已修改 / 已废止 / 已失效 |
| 信息类别 | no (通知公告) | the labels of the record form (政策文件, 结果公示, …) |
| 正文 | no | HTML, or plain text whose lines become paragraphs |
| 附件 | no | file names inside the zip, separated by "；", ";" or line breaks |

``check_import`` reads everything and lists every row's problems, writing nothing (the dry run).
``run_import`` checks first and imports nothing unless there is no problem at all; then each row goes
through the records' services as an editor's work would: ``record_create`` (sanitising, outside images
refused), ``attachment_add`` (the upload checks and metadata removal), the privacy scan (a row with
personal data is a problem: mask it in the source first), then the move "imported" (draft → published)
with the original publication time and index number, written to the audit log with the source row.

Who may import: a member of staff holding both 信息员 and 单位管理员 in the organisation, or a superuser.
History coming in is not a new publication decision, so there is no review step; the 单位管理员 role
stands for the bureau's decision to bring its already published records over.
"""

from __future__ import annotations

import csv
import html
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import CatalogNode, Organisation
from disclosure.core import privacy, transitions
from disclosure.core.access import Role, has_role_in, is_superuser
from disclosure.core.files import check_upload
from disclosure.core.metadata import cleaned_content
from disclosure.core.sanitize import clean_html, refuse_outside_images
from disclosure.records import privacy_guard, services
from disclosure.records.docnumber import normalise_document_number
from disclosure.records.models import IndexSequence, Openness, Record, RecordType, Status, Validity
from disclosure.records.workflow import Right, Transition

MAX_ROWS = 5000
MAX_ARCHIVE_ENTRIES = 10_000
SPREADSHEET_MAX_BYTES = 20 * 1024 * 1024
COLUMNS = {
    "标题": "title", "栏目编码": "node", "文号": "document_number", "发文机关": "issuing_body",
    "成文日期": "written_on", "信息形成日期": "formed_on", "发布日期": "published_at", "索引号": "index_number",
    "有效性": "validity", "信息类别": "record_type", "内容概述": "summary", "正文": "body", "附件": "attachments",
}
REQUIRED = ("标题", "栏目编码", "发布日期")
SEPARATORS = re.compile(r"[；;\r\n]+")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M")
AUTO_INDEX = re.compile(r"^(?P<year>\d{4})-(?P<serial>\d{1,9})$")

# One move, outside the review table on purpose: a record already published on the old site arrives
# published. It is carried out by the kernel's move like every other (lock, state, right, log).
IMPORT_TABLE = transitions.TransitionTable(
    (Transition("imported", gettext_lazy("导入历史信息"), (Status.DRAFT,), Status.PUBLISHED, Right.PUBLISH),),
    states=Status,
)


class ImportRefused(Exception):
    """The files cannot be read at all (not a row's problem); the message is Chinese."""


@dataclass
class Row:
    number: int  # the spreadsheet's row number, header = 1
    values: dict[str, str | date | datetime | None]
    problems: list[str] = field(default_factory=list)
    fields: dict = field(default_factory=dict)
    node: CatalogNode | None = None
    published_at: datetime | None = None
    index_number: str = ""
    files: list[tuple[str, bytes]] = field(default_factory=list)

    @property
    def title(self) -> str:
        return str(self.values.get("title") or "")


@dataclass
class ImportReport:
    rows: list[Row]
    problems: list[str] = field(default_factory=list)  # of the files as a whole
    imported: list[Record] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and not any(row.problems for row in self.rows)

    def lines(self) -> list[str]:
        out = list(self.problems)
        for row in self.rows:
            for problem in row.problems:
                out.append(_("第%(n)s行（%(title)s）：%(problem)s") % {"n": row.number, "title": row.title or "-", "problem": problem})
        return out


# ---------------------------------------------------------------------------------------- reading


def _cell(value) -> str | date | datetime | None:
    if value is None:
        return None
    if isinstance(value, (date, datetime)):
        return value
    text = str(value).strip()
    return text or None


def read_rows(name: str, data: bytes) -> list[Row]:
    """The rows of the spreadsheet, by the Chinese column names of its header row."""
    if len(data) > SPREADSHEET_MAX_BYTES:
        raise ImportRefused(_("表格文件过大（上限 20 MB）。"))
    suffix = PurePosixPath(name.lower()).suffix
    if suffix == ".xlsx":
        check = check_upload(SimpleUploadedFile(name, data))  # the archive checks before openpyxl opens it
        if check["kind"] != "xlsx":
            raise ImportRefused(_("表格文件不是有效的 .xlsx 文件。"))
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:
            raise ImportRefused(_("无法读取表格文件，请用办公软件另存为 .xlsx 后重试。")) from None
        table = [[_cell(v) for v in row] for row in book.worksheets[0].iter_rows(values_only=True)]
        book.close()
    elif suffix == ".csv":
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ImportRefused(_("无法识别 CSV 文件的编码，请保存为 UTF-8 或 GBK。"))
        table = [[_cell(v) for v in row] for row in csv.reader(io.StringIO(text))]
    else:
        raise ImportRefused(_("表格须为 .xlsx 或 .csv 文件。"))
    if not table:
        raise ImportRefused(_("表格是空的。"))
    header = [str(h or "").strip() for h in table[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ImportRefused(_("表头缺少必需的列：%(columns)s。") % {"columns": "、".join(missing)})
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        raise ImportRefused(
            _("表头有无法识别的列：%(columns)s。可用的列：%(known)s。")
            % {"columns": "、".join(unknown), "known": "、".join(COLUMNS)}
        )
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        if not any(c not in (None, "") for c in cells):
            continue
        values = {COLUMNS[h]: cells[i] if i < len(cells) else None for i, h in enumerate(header) if h}
        rows.append(Row(number=number, values=values))
    if len(rows) > MAX_ROWS:
        raise ImportRefused(_("一次最多导入 %(n)s 条。") % {"n": MAX_ROWS})
    return rows


def _entry_name(info: zipfile.ZipInfo) -> str:
    """The entry's name as its author wrote it: zips made on Chinese Windows carry GBK names without
    saying so (the UTF-8 flag unset), which zipfile reads as CP437."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def open_archive(data) -> tuple[zipfile.ZipFile, dict[str, zipfile.ZipInfo]]:
    """The attachments' zip and its entries by file name (the last path part), after the bomb checks."""
    try:
        archive = zipfile.ZipFile(data)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportRefused(_("附件压缩包不是有效的 .zip 文件。")) from None
    infos = [i for i in archive.infolist() if not i.is_dir()]
    if len(infos) > MAX_ARCHIVE_ENTRIES:
        raise ImportRefused(_("附件压缩包内文件超过 %(n)s 个。") % {"n": MAX_ARCHIVE_ENTRIES})
    entries: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        name = _entry_name(info)
        if "\x00" in name or name.startswith("/") or ".." in PurePosixPath(name.replace("\\", "/")).parts:
            raise ImportRefused(_("附件压缩包内含非法路径“%(name)s”。") % {"name": name[:80]})
        base = PurePosixPath(name.replace("\\", "/")).name
        if base in entries:
            raise ImportRefused(_("附件压缩包内有两个同名文件“%(name)s”，请改名后重新打包。") % {"name": base})
        entries[base] = info
    return archive, entries


# --------------------------------------------------------------------------------------- checking


def _date(value, label: str, row: Row) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(str(value), pattern).date()
        except ValueError:
            continue
    row.problems.append(_("%(label)s“%(value)s”不是有效日期（如 2019-03-05）。") % {"label": label, "value": value})
    return None


def _moment(value, row: Row) -> datetime | None:
    if isinstance(value, datetime):
        moment = value
    else:
        moment = None
        for pattern in DATETIME_FORMATS:
            try:
                moment = datetime.strptime(str(value), pattern)
                break
            except (ValueError, TypeError):
                continue
        if moment is None:
            day = _date(value, _("发布日期"), row)
            if day is None:
                return None
            # A day without a time: 9:00, the start of office hours (or now, for a record of today).
            moment = timezone.make_aware(datetime.combine(day, time(9, 0)))
            if day == timezone.localdate():
                moment = min(moment, timezone.now())
    moment = timezone.make_aware(moment) if timezone.is_naive(moment) else moment
    if moment > timezone.now():
        row.problems.append(_("发布日期不能晚于今天。"))
        return None
    return moment


def _choice(value, choices, default, label: str, row: Row) -> str:
    if value in (None, ""):
        return default
    by_label = {str(c.label): c.value for c in choices}
    text = str(value)
    if text in by_label:
        return by_label[text]
    if text in choices.values:
        return text
    row.problems.append(
        _("%(label)s“%(value)s”无法识别，可填：%(options)s。")
        % {"label": label, "value": text, "options": "、".join(by_label)}
    )
    return default


def _body(value) -> str:
    text = str(value or "")
    if "<" in text and ">" in text:
        return text
    return "".join(f"<p>{html.escape(line.strip())}</p>" for line in text.splitlines() if line.strip())


def _check_row(row: Row, organisation: Organisation, entries, archive, seen_numbers: set[str]) -> None:
    values = row.values
    title = str(values.get("title") or "").strip()
    if not title:
        row.problems.append(_("缺少标题。"))
    code = str(values.get("node") or "").strip()
    row.node = CatalogNode.objects.filter(code=code).first() if code else None
    if row.node is None:
        row.problems.append(_("栏目编码“%(code)s”不存在。") % {"code": code or _("（空）")})
    elif not row.node.is_active:
        row.problems.append(_("栏目“%(name)s”已停用。") % {"name": row.node.name})
    row.published_at = _moment(values.get("published_at"), row) if values.get("published_at") else None
    if values.get("published_at") in (None, ""):
        row.problems.append(_("缺少发布日期。"))
    formed_on = _date(values.get("formed_on"), _("信息形成日期"), row) or (
        timezone.localdate(row.published_at) if row.published_at else None
    )
    row.fields = {
        "title": title[:300],
        "document_number": normalise_document_number(str(values.get("document_number") or ""))[:100],
        "issuing_body": str(values.get("issuing_body") or "")[:200],
        "written_on": _date(values.get("written_on"), _("成文日期"), row),
        "formed_on": formed_on,
        "validity": _choice(values.get("validity"), Validity, Validity.CURRENT, _("有效性"), row),
        "record_type": _choice(values.get("record_type"), RecordType, RecordType.NOTICE, _("信息类别"), row),
        "openness": Openness.PROACTIVE,
        "summary": str(values.get("summary") or ""),
        "body": _body(values.get("body")),
    }
    if len(title) > 300:
        row.problems.append(_("标题超过300字。"))
    try:
        refuse_outside_images(row.fields["body"])
    except ValidationError as error:
        row.problems += error.messages
    row.fields["body"] = clean_html(row.fields["body"])
    if row.node is not None and formed_on is not None:
        try:  # the same model checks record_create makes, with their Chinese messages
            services._validate_content(Record(organisation=organisation, node=row.node, **row.fields))
        except ValidationError as error:
            row.problems += [m for m in error.messages if m not in row.problems]

    number = str(values.get("index_number") or "").strip()
    if number:
        prefix, slash, serial = number.partition("/")
        if prefix != organisation.code or not slash or not serial or "/" in serial or len(number) > 60:
            row.problems.append(
                _("索引号“%(number)s”须为“%(code)s/序号”的形式（如 %(code)s/2019-00012）。")
                % {"number": number, "code": organisation.code}
            )
        elif number in seen_numbers or Record.objects.filter(index_number=number).exclude(status=Status.SUPERSEDED).exists():
            row.problems.append(_("索引号“%(number)s”已被使用。") % {"number": number})
        else:
            seen_numbers.add(number)
            row.index_number = number

    key = privacy_guard._key()
    found = privacy.scan_text(privacy_guard.body_text(row.fields["body"]), key=key, where="正文").findings
    names = [n.strip() for n in SEPARATORS.split(str(values.get("attachments") or "")) if n.strip()]
    for name in names:
        info = entries.get(PurePosixPath(name.replace("\\", "/")).name) if entries is not None else None
        if info is None:
            row.problems.append(_("附件“%(name)s”不在附件压缩包中。") % {"name": name})
            continue
        if info.file_size > settings.ATTACHMENT_MAX_BYTES:
            row.problems.append(_("附件“%(name)s”超过大小上限。") % {"name": name})
            continue
        data = archive.read(info)
        upload = SimpleUploadedFile(PurePosixPath(name).name, data)
        try:
            facts = check_upload(upload)
            content, _removed, _note = cleaned_content(upload, facts)
        except ValidationError as error:
            row.problems += error.messages
            continue
        row.files.append((facts["name"], data))
        found += privacy.scan_file(facts["name"], content.read(), key=key, kind=facts["kind"]).findings
    if found:
        shown = "；".join(f"{f.where}：{privacy.KIND_LABELS[f.kind]} {f.masked}" for f in found[:5])
        row.problems.append(
            _("发现个人信息 %(count)s 项（%(shown)s%(more)s），请在原文件中脱敏后再导入。")
            % {"count": len(found), "shown": shown, "more": "等" if len(found) > 5 else ""}
        )


def _may_import(user, organisation: Organisation) -> bool:
    return is_superuser(user) or (
        has_role_in(user, Role.EDITOR, organisation.pk) and has_role_in(user, Role.ORG_ADMIN, organisation.pk)
    )


def check_import(*, user, organisation: Organisation, sheet_name: str, sheet: bytes, archive=None) -> ImportReport:
    """The dry run: every row's problems, nothing written. ``archive`` is a path or a file of the zip."""
    if not _may_import(user, organisation):
        raise PermissionDenied(_("只有本单位同时具有信息员和单位管理员角色的工作人员可以导入历史信息。"))
    rows = read_rows(sheet_name, sheet)
    zip_file, entries = open_archive(archive) if archive is not None else (None, {})
    seen: set[str] = set()
    try:
        for row in rows:
            _check_row(row, organisation, entries, zip_file, seen)
    finally:
        if zip_file is not None:
            zip_file.close()
    return ImportReport(rows=rows)


# -------------------------------------------------------------------------------------- importing


def _bump_sequence(organisation: Organisation, number: str) -> None:
    """An imported number of the portal's own form (year-serial) moves the year's sequence past it, so
    that the next publication never draws the same number."""
    match = AUTO_INDEX.match(number.partition("/")[2])
    if match:
        sequence, _created = IndexSequence.objects.select_for_update().get_or_create(
            organisation=organisation, year=int(match["year"])
        )
        IndexSequence.objects.filter(pk=sequence.pk, last_serial__lt=int(match["serial"])).update(
            last_serial=int(match["serial"])
        )


def _import_row(user, organisation: Organisation, row: Row, source: str) -> Record:
    record = services.record_create(user=user, organisation=organisation, node=row.node, **row.fields)
    for name, data in row.files:
        services.attachment_add(user=user, record=record, upload=SimpleUploadedFile(name, data))
    privacy_guard.record_privacy_scan(user=user, record=record)
    privacy_guard.check_publishable(record)
    number = row.index_number
    if number:
        _bump_sequence(organisation, number)
    else:
        number = services.next_index_number(organisation, timezone.localtime(row.published_at).year)
    comment = _("自%(source)s第%(n)s行导入；原发布时间 %(when)s；索引号 %(number)s%(kept)s") % {
        "source": source, "n": row.number, "when": timezone.localtime(row.published_at).strftime("%Y-%m-%d %H:%M"),
        "number": number, "kept": _("（沿用原索引号）") if row.index_number else _("（新编）"),
    }
    locked, _previous = transitions.move(
        record,
        table=IMPORT_TABLE,
        name="imported",
        user=user,
        denial=lambda u, _t, r: None if _may_import(u, r.organisation) else _("无权导入。"),
        log=lambda locked, previous, target, _note: services._audit(locked, user, "imported", previous, target, comment),
        changes={"published_at": row.published_at, "index_number": number},
    )
    return locked


def run_import(*, user, organisation: Organisation, sheet_name: str, sheet: bytes, archive=None) -> ImportReport:
    """Check, then import every row in one transaction, or nothing when any row has a problem."""
    report = check_import(user=user, organisation=organisation, sheet_name=sheet_name, sheet=sheet, archive=archive)
    if not report.ok:
        return report
    with transaction.atomic():
        for row in report.rows:
            report.imported.append(_import_row(user, organisation, row, sheet_name))
    return report

