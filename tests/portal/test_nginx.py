"""deploy/nginx-portal.conf in front of the portal, for real: nginx (Debian's package, installed by
.ci/run) proxies to the live server and sends attachment bytes itself after X-Accel-Redirect; the
internal location cannot be fetched from outside.

The site file is used as shipped, with only its marked lines (addresses and directories) filled in."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import urlopen

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile

from disclosure.records import services
from tests.disclosure.publishing import COUNTY, Desk

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SITE = Path(django_settings.BASE_DIR) / "deploy" / "nginx-portal.conf"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b"NGINX-SERVED-BYTES" * 1000

pytestmark = pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx is installed by .ci/run")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def nginx(live_server, tmp_path, settings):
    settings.DOWNLOAD_OFFLOAD = "nginx"
    upstream = live_server.url.removeprefix("http://")
    port = free_port()
    site = SITE.read_text()
    site = re.sub(r"server 10\.0\.0\.\d+:8000[^;]*;[^\n]*\n", "", site, count=2)
    site = site.replace("keepalive 32;", f"server {upstream};\n    keepalive 32;")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{port};")
    site = site.replace("/srv/portal/media/", f"{settings.MEDIA_ROOT}/")
    site = site.replace("/srv/portal/staticfiles/", f"{settings.STATIC_ROOT}/")
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"daemon off; pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;\n"
        "events {}\n"
        f"http {{ access_log {tmp_path}/access.log; client_body_temp_path {tmp_path}/body;"
        f" proxy_temp_path {tmp_path}/proxy; fastcgi_temp_path {tmp_path}/fcgi; uwsgi_temp_path {tmp_path}/uwsgi;"
        f" scgi_temp_path {tmp_path}/scgi; include /etc/nginx/mime.types; include {tmp_path}/site.conf; }}\n"
    )
    process = subprocess.Popen([NGINX, "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)])
    for _ in range(50):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


@pytest.mark.django_db(transaction=True)
def test_nginx_sends_the_attachment_and_keeps_the_store_internal(nginx, live_server, standard_catalog, demo_orgs):
    desk = Desk(demo_orgs[COUNTY])
    record = desk.draft("020503", title="配租结果公告")
    attachment = services.attachment_add(
        user=desk.editor, record=record, upload=SimpleUploadedFile("配租名单.pdf", PDF, "application/pdf")
    )
    record = services.record_publish(user=desk.reviewer, record=desk.approve(record))
    path = f"/org/{COUNTY}/doc/{record.index_serial}/files/{attachment.pk}/"

    with urlopen(live_server.url + path, timeout=10) as direct:  # the app alone sends no bytes
        assert direct.read() == b"" and direct.headers["X-Accel-Redirect"]
    with urlopen(nginx + path, timeout=10) as through:
        assert through.read() == PDF
        assert "X-Accel-Redirect" not in through.headers
        assert "attachment" in through.headers["Content-Disposition"]
    with pytest.raises(HTTPError) as refused:
        urlopen(f"{nginx}/_protected/{attachment.file.name}", timeout=10)
    assert refused.value.code == 404
    with urlopen(f"{nginx}/org/{COUNTY}/", timeout=10) as page:
        assert page.status == 200
    desk.withdraw(record)
    with pytest.raises(HTTPError) as gone:
        urlopen(nginx + path, timeout=10)
    assert gone.value.code == 404
