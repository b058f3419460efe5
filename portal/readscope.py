"""Which organisations' records a statement reads: what lets the page cache keep one organisation's pages
when another organisation publishes (portal/pagecache.py).

A statement's reads of the records' tables are **bound** to the organisations S when every reference to
one of those tables is a plain table in the FROM list or a JOIN of some SELECT (at any depth: a derived
table, an EXISTS, a UNION branch) whose WHERE clause is a conjunction with a member

    <that reference>.organisation_id = <value>      or      <that reference>.organisation_id IN (<values>)

where each value is a parameter or a number literal. Every row that SELECT reads of that table then
belongs to S (a NULL-extended row of an outer join fails the comparison too), so nothing the statement
returns, counts or tests for can change unless a row of S does.

Anything else is **unbound** (``None``): an attachment or the search index (they carry no such column
here), a filter through the organisation's code, an OR over the condition, a subquery in the IN list, a
column the parser cannot tie to the reference, a statement it cannot parse, a write. An unbound read makes
the page depend on every organisation's records, as before; the analysis can only err that way.

Statements are parsed by sqlglot, once per text (Django's ``%s`` placeholders are numbered first, so the
analysis says which parameters hold the organisations); the plans are kept per text, within PLANS_MAX.
"""

from __future__ import annotations

import logging
import re

logger = logging.getLogger(__name__)

# The tables whose rows belong to an organisation through their own organisation_id column.
BOUND_TABLES = frozenset({"disclosure_record"})
# Every table of the records' scope (pagecache.SCOPE_OF_TABLE): those not in BOUND_TABLES are always unbound.
RECORD_TABLES = frozenset(
    {
        "disclosure_record",
        "disclosure_attachment",
        "disclosure_searchdocument",
        "disclosure_searchfts",
        "disclosure_publiccolumncount",
    }
)
ORGANISATION_COLUMN = "organisation_id"
PLANS_MAX = 1024

_PLACEHOLDER = re.compile(r"%%|%s")
_MARKER = re.compile(r"^__pcparam_(\d+)__$")
# A statement can be bound only if it compares an organisation_id column (quoted or not) with = or IN.
_MAY_BIND = re.compile(r'organisation_id"?\s*(=|IN\b)', re.IGNORECASE)
UNBOUND = None
_plans: dict[tuple[str, str], tuple | None] = {}


def organisations_read(sql: str, params, vendor: str) -> frozenset[int] | None:
    """The organisations whose records ``sql`` run with ``params`` reads, or None if it is not bound to any
    set of them (see the module docstring)."""
    key = (vendor, sql)
    try:
        plan = _plans[key]
    except KeyError:
        plan = _plan(sql, vendor)
        if len(_plans) >= PLANS_MAX:
            _plans.clear()
        _plans[key] = plan
    if plan is None:
        return None
    organisations = set()
    try:
        for kind, value in plan:
            organisations.add(int(params[value] if kind == "param" else value))
    except (TypeError, ValueError, IndexError, KeyError):
        return None
    return frozenset(organisations)


def _plan(sql: str, vendor: str):
    """A tuple of ("param", index) and ("literal", value) naming every organisation the statement may read,
    or None (unbound). Never raises: it runs inside the database wrapper of a page's render."""
    if not _MAY_BIND.search(sql):
        return None  # no organisation condition at all: unbound without parsing
    try:
        return _analyse(sql, vendor)
    except Exception:  # noqa: BLE001 - anything the analysis cannot follow is unbound
        logger.debug("无法分析语句的单位范围。", exc_info=True)
        return None


def _analyse(sql: str, vendor: str):
    import sqlglot
    from sqlglot import exp

    counter = iter(range(1_000_000))
    numbered = _PLACEHOLDER.sub(lambda m: "%" if m.group() == "%%" else f"'__pcparam_{next(counter)}__'", sql)
    tree = sqlglot.parse_one(numbered, read="postgres" if vendor == "postgresql" else "sqlite")
    if not isinstance(tree, exp.Query):
        return None
    plan = []
    for table in tree.find_all(exp.Table):
        name = table.name
        if name not in RECORD_TABLES:
            continue
        if name not in BOUND_TABLES:
            return None
        select = _owning_select(table, exp)
        if select is None:
            return None
        values = _bound_values(select, table.alias_or_name, exp)
        if values is None:
            return None
        plan.extend(values)
    # The statement names a records' table (that is why it is asked) yet no reference was found: whatever
    # the parser made of it, it is not known to be bound.
    return tuple(plan) if plan else None


def _owning_select(table, exp):
    """The SELECT whose FROM list or JOIN holds ``table`` directly, or None."""
    holder = table.parent
    if isinstance(holder, exp.From | exp.Join) and isinstance(holder.parent, exp.Select):
        return holder.parent
    return None


def _conjuncts(condition, exp):
    """The members of a condition's top-level AND chain (parentheses opened)."""
    while isinstance(condition, exp.Paren):
        condition = condition.this
    if isinstance(condition, exp.And):
        yield from _conjuncts(condition.left, exp)
        yield from _conjuncts(condition.right, exp)
    else:
        yield condition


def _bound_values(select, reference: str, exp):
    """The values of the first ``<reference>.organisation_id = / IN`` member of ``select``'s WHERE, or None."""
    where = select.args.get("where")
    if where is None:
        return None
    for member in _conjuncts(where.this, exp):
        if isinstance(member, exp.EQ):
            sides = [(member.left, member.right), (member.right, member.left)]
            for column, value in sides:
                if _is_column(column, reference, exp):
                    found = _value(value, exp)
                    if found is not None:
                        return [found]
        elif isinstance(member, exp.In) and _is_column(member.this, reference, exp):
            if member.args.get("query") or member.args.get("unnest") or member.args.get("field"):
                continue
            values = [_value(value, exp) for value in member.expressions]
            if values and all(value is not None for value in values):
                return values
    return None


def _is_column(node, reference: str, exp) -> bool:
    while isinstance(node, exp.Paren):
        node = node.this
    return (
        isinstance(node, exp.Column)
        and node.name == ORGANISATION_COLUMN
        and node.table == reference
        and not node.args.get("db")
        and not node.args.get("catalog")
    )


def _value(node, exp):
    while isinstance(node, exp.Paren):
        node = node.this
    if not isinstance(node, exp.Literal):
        return None
    if node.is_string:
        marker = _MARKER.match(node.this)
        return ("param", int(marker.group(1))) if marker else None
    try:
        return ("literal", int(node.this))
    except ValueError:
        return None
