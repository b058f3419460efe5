"""Who is the platform (平台) that owns the standard catalog: superusers, holders of the permission
``catalog.change_standard_node`` granted to an account, and the 单位管理员 of a province-level
organisation (the provincial department that runs the intensive platform for its counties).

The last is granted here, as an authentication backend that only answers ``has_perm`` (it never
authenticates anyone): every check of the permission (catalog/admin.py ``is_platform``) then sees it,
without a second rule anywhere.
"""

from catalog.models import OrgLevel
from disclosure.core.access import Role, organisation_of, roles_of

STANDARD_NODE_PERMISSION = "catalog.change_standard_node"


class ProvincePlatformBackend:
    def authenticate(self, request, **credentials):
        return None

    def has_perm(self, user_obj, perm, obj=None):
        if perm != STANDARD_NODE_PERMISSION or not getattr(user_obj, "is_active", False):
            return False
        organisation = organisation_of(user_obj)
        return (
            organisation is not None
            and organisation.level == OrgLevel.PROVINCE
            and Role.ORG_ADMIN in roles_of(user_obj)
        )
