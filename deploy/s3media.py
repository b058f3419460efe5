"""Copy the attachments between an S3-compatible bucket and a directory, for backup.sh and restore.sh
with MEDIA_STORAGE=s3.

    python deploy/s3media.py download <directory>   # every object under S3_PREFIX, keys as paths
    python deploy/s3media.py upload <directory>     # into the bucket, which must hold no object yet

The bucket and its store come from the portal's own variables (S3_BUCKET, S3_ENDPOINT_URL, S3_REGION,
S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_PREFIX, S3_ADDRESSING_STYLE); boto3 is installed with the portal.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import boto3
from botocore.config import Config


def bucket():
    style = os.environ.get("S3_ADDRESSING_STYLE", "auto") or "auto"
    resource = boto3.resource(
        "s3",
        endpoint_url=os.environ.get("S3_ENDPOINT_URL") or None,
        region_name=os.environ.get("S3_REGION") or None,
        aws_access_key_id=os.environ.get("S3_ACCESS_KEY_ID") or None,
        aws_secret_access_key=os.environ.get("S3_SECRET_ACCESS_KEY") or None,
        config=Config(s3={"addressing_style": style}),
    )
    name = os.environ.get("S3_BUCKET")
    if not name:
        sys.exit("S3_BUCKET is not set")
    return resource.Bucket(name)


def prefix() -> str:
    value = os.environ.get("S3_PREFIX", "").strip("/")
    return value + "/" if value else ""


def download(directory: Path) -> int:
    count = 0
    for summary in bucket().objects.filter(Prefix=prefix()):
        relative = summary.key[len(prefix()):]
        if not relative or relative.endswith("/") or ".." in Path(relative).parts:
            continue
        target = directory / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        summary.Object().download_file(str(target))
        count += 1
    return count


def upload(directory: Path) -> int:
    store = bucket()
    if any(True for _ in store.objects.filter(Prefix=prefix()).limit(1)):
        sys.exit(f"the bucket {store.name} already holds objects under {prefix() or '/'}: restore into an empty one")
    count = 0
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            store.upload_file(str(path), prefix() + path.relative_to(directory).as_posix())
            count += 1
    return count


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("download", "upload"):
        sys.exit(__doc__)
    directory = Path(argv[1])
    directory.mkdir(parents=True, exist_ok=True)
    count = (download if argv[0] == "download" else upload)(directory)
    print(f"{argv[0]}: {count} objects", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
