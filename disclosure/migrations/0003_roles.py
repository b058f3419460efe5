"""Create the four staff roles as groups with their model permissions."""

from django.db import migrations

ROLE_PERMISSIONS = {
    "信息员": [
        "disclosure.add_record", "disclosure.change_record", "disclosure.view_record",
        "disclosure.delete_record",
        "disclosure.add_attachment", "disclosure.change_attachment", "disclosure.delete_attachment",
        "disclosure.view_attachment",
        "disclosure.view_review", "disclosure.view_auditentry", "disclosure.view_recordversion",
        "catalog.view_catalognode", "catalog.view_organisation",
    ],
    "审核员": [
        "disclosure.view_record", "disclosure.change_record", "disclosure.view_attachment",
        "disclosure.view_review", "disclosure.view_auditentry", "disclosure.view_recordversion",
        "catalog.view_catalognode", "catalog.view_organisation",
    ],
    "单位管理员": [
        "disclosure.view_record", "disclosure.view_attachment", "disclosure.view_auditentry",
        "disclosure.add_staffprofile", "disclosure.change_staffprofile", "disclosure.view_staffprofile",
        "auth.add_user", "auth.change_user", "auth.view_user", "auth.view_group",
        "catalog.add_catalognode", "catalog.change_catalognode", "catalog.view_catalognode",
        "catalog.add_nodechannel", "catalog.change_nodechannel", "catalog.delete_nodechannel",
        "catalog.view_nodechannel",
        "catalog.view_organisation", "catalog.change_organisation",
    ],
    "审计员": [
        "disclosure.view_record", "disclosure.view_attachment", "disclosure.view_review",
        "disclosure.view_auditentry", "disclosure.view_recordversion",
        "catalog.view_catalognode", "catalog.view_organisation",
    ],
}


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; the roles need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for name in names:
            app_label, codename = name.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("disclosure", "0002_records"),
        ("catalog", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
