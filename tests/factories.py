import factory
from django.contrib.auth import get_user_model

from catalog.models import CatalogNode, Organisation, OrgLevel, Origin, Provenance


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"49{n:04d}")
    name = factory.Sequence(lambda n: f"测试县{n}住房和城乡建设局")
    level = OrgLevel.COUNTY


class CatalogNodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CatalogNode

    code = factory.Sequence(lambda n: f"local-{n}")
    name = factory.Sequence(lambda n: f"本地栏目{n}")
    provenance = Provenance.LOCAL
    # A platform node unless a test gives it an owner (本单位细化 needs one): most tests build catalogs.
    origin = Origin.SUPPLEMENT
    levels = factory.LazyFunction(lambda: [OrgLevel.COUNTY])


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    is_staff = True

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or "pw-for-tests")
        if create:
            self.save()


def make_staff(organisation, *roles, username=None, **extra):
    """A staff account of ``organisation`` holding the given roles (names from disclosure.core.access.Role)."""
    from django.contrib.auth.models import Group

    from disclosure.core.staff import StaffProfile

    user = UserFactory(username=username or f"{organisation.code}-{'-'.join(roles) or 'none'}", **extra)
    StaffProfile.objects.update_or_create(user=user, defaults={"organisation": organisation})
    user.groups.set(Group.objects.filter(name__in=roles))
    return user


def record_fields(**overrides):
    """Content fields of a valid 主动公开 record."""
    import datetime

    fields = {
        "title": "关于公布2026年度公租房配租结果的公告",
        "document_number": "清建〔2026〕12号",
        "issuing_body": "清河县住房和城乡建设局",
        "written_on": datetime.date(2026, 3, 2),
        "formed_on": datetime.date(2026, 3, 2),
        "record_type": "result",
        "openness": "proactive",
        "body": "<p>配租结果如下。</p>",
    }
    fields.update(overrides)
    return fields
