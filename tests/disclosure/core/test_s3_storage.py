"""Attachments on an S3-compatible object store (MEDIA_STORAGE=s3).

The store is moto's S3 server, run in this process on 127.0.0.1: a real S3 protocol endpoint, nothing
from the network. The storage is configured from environment variables through ``portal.env``, exactly
as a server start would, and records are made through the real services. Objects are stored under
their random name and stay private; the public only ever gets the bytes through the download view,
which applies the public rule, and no public page names the store.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import parse_qsl, urlsplit
from urllib.request import urlopen

import boto3
import pytest
from django.conf import settings as django_settings
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from moto.server import ThreadedMotoServer

from disclosure.records import services
from disclosure.records.models import Attachment, Record
from portal import env
from tests.disclosure.publishing import COUNTY, Desk

# One test worker builds this module's S3 endpoint once (`make test` runs `--dist loadgroup`).
# One worker runs the whole group, and starts it early (tests/conftest.py: long ones first).
pytestmark = [pytest.mark.xdist_group("s3_endpoint"), pytest.mark.long]

PREFIX = "portal-media"
CREDENTIALS = {"S3_ACCESS_KEY_ID": "portal-test", "S3_SECRET_ACCESS_KEY": "portal-test-secret"}
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


@pytest.fixture(scope="module")
def s3_endpoint():
    """An S3 endpoint on a free local port, for this module's tests."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings, monkeypatch):
    """A fresh bucket, and STORAGES["default"] switched to it the way MEDIA_STORAGE=s3 does.

    Changing settings.STORAGES resets Django's storage handler and ``default_storage`` (the
    setting_changed receiver in django.test.signals), on the way in and again on the way out.
    """
    name = f"portal-{uuid.uuid4().hex[:12]}"
    s3 = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id=CREDENTIALS["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["S3_SECRET_ACCESS_KEY"],
    )
    s3.create_bucket(Bucket=name)
    for variable, value in {
        "MEDIA_STORAGE": "s3",
        "S3_BUCKET": name,
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_REGION": "us-east-1",
        "S3_PREFIX": f"/{PREFIX}/",
        **CREDENTIALS,
    }.items():
        monkeypatch.setenv(variable, value)
    settings.STORAGES = {**settings.STORAGES, "default": env.media_storage()}
    return s3, name


def pdf_upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n" + content + b"\n%%EOF\n", content_type="application/pdf")


def attachment_url(record: Record, attachment) -> str:
    return reverse(
        "disclosure:attachment",
        kwargs={"org": record.organisation.code, "number": record.index_serial, "attachment_id": attachment.pk},
    )


def with_attachment(desk: Desk, key: str) -> tuple[Record, object, bytes]:
    """A draft titled with ``key`` and one PDF added through the attachment service."""
    record = desk.draft("020502", title=f"关于对象存储测试的公告 {key}")
    upload = pdf_upload(f"附件-{key}.pdf", f"S3-FILE-{key}".encode())
    content = upload.read()
    upload.seek(0)
    attachment = services.attachment_add(user=desk.editor, record=record, upload=upload)
    return record, attachment, content


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_settings_switch_the_default_storage_to_the_bucket(bucket, s3_endpoint):
    """With MEDIA_STORAGE=s3 the default storage is django-storages' S3 backend on the configured
    endpoint, bucket and prefix, with private objects, unsigned URLs and no overwriting."""
    _s3, name = bucket
    storage = storages["default"]
    assert type(storage).__module__ == "storages.backends.s3"
    # Attachments use the lazy default storage, which now resolves to the same backend.
    assert Attachment._meta.get_field("file").storage is default_storage
    assert not default_storage.exists("attachments/nothing.pdf")
    assert type(default_storage._wrapped) is type(storage)
    assert (storage.bucket_name, storage.endpoint_url, storage.location) == (name, s3_endpoint, PREFIX)
    assert storage.default_acl is None
    assert storage.querystring_auth is False
    assert storage.file_overwrite is False


def test_attachment_is_stored_in_the_bucket_under_its_random_name(bucket, standard_catalog, demo_orgs):
    """attachment_add puts the checked bytes into the bucket, under the prefix and the random stored
    name only; the object grants nothing to anonymous users."""
    s3, name = bucket
    desk = Desk(demo_orgs[COUNTY])
    _record, attachment, content = with_attachment(desk, "stored")

    assert attachment.file.name.startswith("attachments/")
    assert "stored" not in attachment.file.name and "附件" not in attachment.file.name
    key = f"{PREFIX}/{attachment.file.name}"
    listed = [item["Key"] for item in s3.list_objects_v2(Bucket=name)["Contents"]]
    assert listed == [key]
    assert s3.get_object(Bucket=name, Key=key)["Body"].read() == content
    assert attachment.size == len(content)
    grants = s3.get_object_acl(Bucket=name, Key=key)["Grants"]
    assert not [g for g in grants if g["Grantee"].get("URI") == ALL_USERS]


def test_public_download_streams_the_bytes_and_non_public_answers_404(
    client, bucket, standard_catalog, demo_orgs, s3_endpoint
):
    """A public record's attachment downloads, byte for byte, from the bucket through the view; the
    attachment of a draft and of a withdrawn record answer 404 though their objects are in the bucket;
    and the public record page never names the store, the bucket or the object key."""
    s3, name = bucket
    desk = Desk(demo_orgs[COUNTY])
    public, public_file, public_bytes = with_attachment(desk, "public")
    public = services.record_publish(user=desk.reviewer, record=desk.approve(public))
    draft, draft_file, _ = with_attachment(desk, "draft")
    withdrawn, withdrawn_file, _ = with_attachment(desk, "withdrawn")
    withdrawn = desk.withdraw(services.record_publish(user=desk.reviewer, record=desk.approve(withdrawn)))
    assert s3.list_objects_v2(Bucket=name)["KeyCount"] == 3

    response = client.get(attachment_url(public, public_file))
    assert response.status_code == 200
    assert body(response) == public_bytes
    assert response["Content-Disposition"].startswith("attachment;")

    for record, attachment in ((public, draft_file), (withdrawn, withdrawn_file)):
        response = client.get(attachment_url(record, attachment))
        assert response.status_code == 404, attachment.original_name

    page = client.get(public.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert attachment_url(public, public_file) in html
    endpoint = urlsplit(s3_endpoint)
    for leak in (endpoint.netloc, f"{endpoint.hostname}:", name, public_file.file.name, "X-Amz-"):
        assert leak not in html, leak


def test_object_urls_grant_nothing(bucket, standard_catalog, demo_orgs):
    """Whatever ``.url`` of a stored file gives is unsigned, and the store refuses it: only the
    download view hands out the bytes."""
    desk = Desk(demo_orgs[COUNTY])
    _record, attachment, content = with_attachment(desk, "direct")
    url = attachment.file.url
    assert "Signature" not in url and "X-Amz-" not in url
    with pytest.raises(HTTPError) as refused:
        urlopen(url, timeout=10)
    assert refused.value.code == 403
    assert content not in refused.value.read()


def test_a_missing_object_answers_404(client, bucket, standard_catalog, demo_orgs):
    """A public attachment whose object is gone from the bucket answers 404, not 500."""
    s3, name = bucket
    desk = Desk(demo_orgs[COUNTY])
    record, attachment, _ = with_attachment(desk, "gone")
    record = services.record_publish(user=desk.reviewer, record=desk.approve(record))
    s3.delete_object(Bucket=name, Key=f"{PREFIX}/{attachment.file.name}")
    assert client.get(attachment_url(record, attachment)).status_code == 404


def test_presigned_offload_redirects_to_a_short_lived_signed_url(client, bucket, standard_catalog, demo_orgs, settings):
    """DOWNLOAD_OFFLOAD=presigned: after the public rule, the object store sends the bytes (a redirect to
    a URL signed for DOWNLOAD_PRESIGNED_SECONDS, with the original name); non-public still 404s."""
    settings.DOWNLOAD_OFFLOAD = "presigned"
    desk = Desk(demo_orgs[COUNTY])
    record, attachment, content = with_attachment(desk, "signed")
    record = services.record_publish(user=desk.reviewer, record=desk.approve(record))
    response = client.get(attachment_url(record, attachment))
    assert response.status_code == 302 and response["Cache-Control"] == "no-store"
    location = response["Location"]
    query = dict(parse_qsl(urlsplit(location).query))
    assert "Signature" in query or "X-Amz-Signature" in query
    if "Expires" in query:  # signature version 2: an absolute time, 60 s ahead
        assert 0 < int(query["Expires"]) - time.time() <= 61
    else:
        assert query["X-Amz-Expires"] == "60"
    with urlopen(location, timeout=10) as fetched:
        assert fetched.read() == content
        assert "attachment" in fetched.headers["Content-Disposition"]
    desk.withdraw(record)
    assert client.get(attachment_url(record, attachment)).status_code == 404


def test_nginx_offload_on_the_bucket_names_a_signed_url_for_nginx_to_fetch(
    client, bucket, s3_endpoint, standard_catalog, demo_orgs, settings
):
    """DOWNLOAD_OFFLOAD=nginx with MEDIA_STORAGE=s3: the app answers with no body and X-Accel-Redirect to
    the internal /_s3/ location followed by a presigned URL's path and query; what nginx fetches from the
    endpoint there (deploy/nginx-portal.conf: proxy_pass to S3_ENDPOINT_URL) is the file, as a download.
    Non-public: 404 with no such header."""
    settings.DOWNLOAD_OFFLOAD = "nginx"
    _s3, name = bucket
    desk = Desk(demo_orgs[COUNTY])
    record, attachment, content = with_attachment(desk, "accel")
    record = services.record_publish(user=desk.reviewer, record=desk.approve(record))
    response = client.get(attachment_url(record, attachment))
    assert response.status_code == 200 and response.content == b""
    accel = response["X-Accel-Redirect"]
    assert accel.startswith(f"/_s3/{name}/{PREFIX}/{attachment.file.name}?")
    assert "X-Amz-Signature=" in accel or "Signature=" in accel
    with urlopen(f"{s3_endpoint}/{accel.removeprefix('/_s3/')}", timeout=10) as fetched:
        assert fetched.read() == content
        assert "attachment" in fetched.headers["Content-Disposition"]
    desk.withdraw(record)
    hidden = client.get(attachment_url(record, attachment))
    assert hidden.status_code == 404 and "X-Accel-Redirect" not in hidden


def test_backup_helper_copies_the_bucket_and_restores_only_into_an_empty_one(bucket, s3_endpoint, tmp_path):
    """deploy/s3media.py (backup.sh and restore.sh with MEDIA_STORAGE=s3): download writes every object
    under S3_PREFIX as a file, upload puts them into another bucket under the same keys and refuses a
    bucket that already holds objects."""
    s3, name = bucket
    objects = {f"{PREFIX}/attachments/a.pdf": b"%PDF-a", f"{PREFIX}/attachments/b.docx": b"PK-b"}
    for key, content in objects.items():
        s3.put_object(Bucket=name, Key=key, Body=content)
    s3.put_object(Bucket=name, Key="elsewhere/c.pdf", Body=b"not ours")
    script = Path(django_settings.BASE_DIR) / "deploy" / "s3media.py"
    environment = {**os.environ, "S3_BUCKET": name, "S3_ENDPOINT_URL": s3_endpoint, "S3_REGION": "us-east-1",
                   "S3_PREFIX": f"/{PREFIX}/", **CREDENTIALS}
    subprocess.run([sys.executable, script, "download", tmp_path / "copy"], env=environment, check=True)
    assert sorted(p.relative_to(tmp_path / "copy").as_posix() for p in (tmp_path / "copy").rglob("*.*")) == [
        "attachments/a.pdf", "attachments/b.docx"]

    s3.create_bucket(Bucket=f"{name}-restored")
    restored = {**environment, "S3_BUCKET": f"{name}-restored"}
    subprocess.run([sys.executable, script, "upload", tmp_path / "copy"], env=restored, check=True)
    listed = s3.list_objects_v2(Bucket=f"{name}-restored")["Contents"]
    assert {item["Key"]: s3.get_object(Bucket=f"{name}-restored", Key=item["Key"])["Body"].read()
            for item in listed} == objects
    again = subprocess.run([sys.executable, script, "upload", tmp_path / "copy"], env=restored,
                           capture_output=True, text=True)
    assert again.returncode != 0 and "already holds objects" in again.stderr
