"""The restore drill: deploy/backup.sh takes the database and the attachments, deploy/restore.sh puts
them into an empty database and an empty media directory, and the restored portal answers the same
public pages, byte for byte, attachments included. PostgreSQL only (pg_dump / pg_restore)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from disclosure.records import services
from tests.disclosure.publishing import COUNTY, Desk

DEPLOY = Path(settings.BASE_DIR) / "deploy"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b"RESTORED" * 100

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql", reason="pg_dump needs PostgreSQL"
)

FINGERPRINT = """
import hashlib, json, sys
import django
django.setup()
from django.test import Client
client = Client()
out = {}
for url in json.loads(sys.argv[1]):
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    out[url] = [response.status_code, hashlib.sha256(body).hexdigest()]
print(json.dumps(out))
"""


def url_of(db: dict, name: str) -> str:
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or "5432"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db.get('USER') or 'postgres'}{password}@{host}:{port}/{name}"


def fingerprints(urls: list[str]) -> dict:
    client, out = Client(), {}
    for url in urls:
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        out[url] = [response.status_code, hashlib.sha256(body).hexdigest()]
    return out


@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_an_empty_database_and_media_store(tmp_path, standard_catalog, demo_orgs):
    desk = Desk(demo_orgs[COUNTY])
    record = desk.draft("020503", title="配租结果公告（恢复演练）")
    attachment = services.attachment_add(
        user=desk.editor, record=record, upload=SimpleUploadedFile("名单.pdf", PDF, "application/pdf")
    )
    record = services.record_publish(user=desk.reviewer, record=desk.approve(record))
    urls = ["/", f"/org/{COUNTY}/", f"/org/{COUNTY}/020503/", record.get_absolute_url(),
            f"/org/{COUNTY}/doc/{record.index_serial}/files/{attachment.pk}/", "/sitemap.xml"]
    before = fingerprints(urls)

    db = settings.DATABASES["default"]
    env = {**os.environ, "DATABASE_URL": url_of(db, db["NAME"]), "MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    made = subprocess.run([DEPLOY / "backup.sh", tmp_path / "backup"], env=env, check=True, capture_output=True,
                          text=True).stdout.split()
    restored_name = f"restore_drill_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{restored_name}"')
    try:
        media = tmp_path / "restored-media"
        env = {**os.environ, "DATABASE_URL": url_of(db, restored_name), "MEDIA_ROOT": str(media)}
        subprocess.run([DEPLOY / "restore.sh", *made], env=env, check=True, capture_output=True)
        assert (media / attachment.file.name).read_bytes() == PDF
        env.update(DJANGO_SETTINGS_MODULE="portal.settings", PORTAL_ENV="test",
                   PORTAL_VAR_DIR=str(tmp_path / "var"), PYTHONPATH=str(settings.BASE_DIR))
        after = subprocess.run([sys.executable, "-c", FINGERPRINT, json.dumps(urls)], env=env, check=True,
                               capture_output=True, text=True, cwd=settings.BASE_DIR)
        assert json.loads(after.stdout.strip().splitlines()[-1]) == before
    finally:
        connection.close()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{restored_name}" WITH (FORCE)')
