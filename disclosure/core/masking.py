"""Masking of personal data for readers who may know that a person exists but not who they are.

One helper per kind of value, as the Chinese practice shows them (GB/T 35273 去标识化 examples):
an ID number keeps its first four and last four characters (``4101**********1234``), a mobile
number its first three and last four (``138****5678``), a name its first character (``张*``,
``欧阳**`` keeps the first two of a four-character name), an e-mail address the first character of
its local part, an address its first six characters. Every helper returns "" for "" and never
shows more than it hides.
"""

from __future__ import annotations

MASK = "*"
# Two-character compound surnames (复姓), shown whole when a given name follows them.
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 独孤 南宫 西门 端木 呼延".split()
)


def _keep(value: str, head: int, tail: int) -> str:
    """``value`` with all but ``head`` leading and ``tail`` trailing characters masked; when fewer than
    three characters would be hidden, only its first character is kept."""
    length = len(value)
    if length - head - tail < 3:
        head, tail = (1, 0) if length > 1 else (0, 0)
    return value[:head] + MASK * (length - head - tail) + (value[length - tail :] if tail else "")


def mask_id_number(value: str) -> str:
    """``410105199001011234`` → ``4101**********1234``; a shorter document number (a passport) keeps
    only its first and last character."""
    value = (value or "").strip()
    if not value:
        return ""
    return _keep(value, 4, 4) if len(value) >= 15 else _keep(value, 1, 1)


def mask_phone(value: str) -> str:
    """``13812345678`` → ``138****5678``; a landline ``0371-12345678`` → ``0371****5678``."""
    value = (value or "").strip()
    if not value:
        return ""
    digits = value.replace(" ", "")
    if "-" in digits:
        area, _sep, number = digits.partition("-")
        return f"{area}{MASK * max(len(number) - 4, 1)}{number[-4:]}" if len(number) > 4 else area + MASK * 4
    return _keep(digits, 3, 4)


def mask_name(value: str) -> str:
    """``张三`` → ``张*``; ``欧阳修文`` → ``欧阳**``; ``王小明`` → ``王**``; a Latin name keeps its first letter."""
    value = (value or "").strip()
    if not value:
        return ""
    head = 2 if len(value) >= 3 and value[:2] in COMPOUND_SURNAMES else 1
    return value[:head] + MASK * max(len(value) - head, 1)


def mask_email(value: str) -> str:
    """``zhangsan@example.cn`` → ``z***@example.cn``."""
    value = (value or "").strip()
    if not value:
        return ""
    local, at, domain = value.partition("@")
    if not at:
        return mask_name(value)
    return f"{local[:1]}***@{domain}"


def mask_address(value: str) -> str:
    """An address keeps its first six characters (province, city or county), the rest is hidden."""
    value = (value or "").strip()
    if not value:
        return ""
    return value[:6] + MASK * 4 if len(value) > 6 else value[:1] + MASK * 4


def mask_all(value: str) -> str:
    """Everything hidden (a postcode, a number whose shape is unknown)."""
    return MASK * 4 if (value or "").strip() else ""
