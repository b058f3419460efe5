"""Demo content for `seed_demo`: accounts now, records and the duties as they arrive."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from catalog.models import Organisation
from disclosure.core.access import Role
from disclosure.core.staff import StaffProfile

DEMO_PASSWORD = "Demo-2026-qinghe"
# The demo password before the 等保 password policy; an existing demo database is moved off it.
OLD_DEMO_PASSWORD = "demo-2026"

# username, display name, is_superuser
DEMO_ACCOUNTS = [
    ("admin", "系统管理员", True),
]

# Staff of the demo organisations, one per role: username, display name (first_name), role, organisation code.
DEMO_STAFF = [
    ("editor", "张晓梅", Role.EDITOR, "419901"),
    ("reviewer", "李建国", Role.REVIEWER, "419901"),
    # The county's review chain (初审 → 保密审查 → 终审签发) needs three reviewers: 李建国 does 初审.
    ("secrecy", "孙丽华", Role.REVIEWER, "419901"),
    ("leader", "周国平", Role.REVIEWER, "419901"),
    ("orgadmin", "王志强", Role.ORG_ADMIN, "419901"),
    ("auditor", "陈静", Role.AUDITOR, "419901"),
    ("editor2", "刘洋", Role.EDITOR, "419901001"),
    ("reviewer2", "赵红梅", Role.REVIEWER, "419901001"),
]


def ensure_demo_accounts() -> list[tuple[str, str]]:
    """Create the demo accounts (idempotent); returns (username, description) pairs."""
    User = get_user_model()
    created = []
    for username, label, is_superuser in DEMO_ACCOUNTS:
        user, was_created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": label, "is_staff": True, "is_superuser": is_superuser},
        )
        if was_created or user.check_password(OLD_DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save()
        created.append((username, label))
    organisations = {o.code: o for o in Organisation.objects.filter(code__in={s[3] for s in DEMO_STAFF})}
    for username, name, role, code in DEMO_STAFF:
        user, was_created = User.objects.get_or_create(
            username=username, defaults={"first_name": name, "is_staff": True}
        )
        if was_created or user.check_password(OLD_DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save()
        StaffProfile.objects.get_or_create(user=user, defaults={"organisation": organisations[code]})
        user.groups.add(Group.objects.get(name=role))
        created.append((username, f"{name}，{organisations[code].name}{role.label}"))
    return created
