#!/usr/bin/env bash
# Back up the portal: the database (pg_dump, custom format) and the attachments (a tar of MEDIA_ROOT, or
# with MEDIA_STORAGE=s3 of every object in the bucket under S3_PREFIX, fetched by deploy/s3media.py).
# Usage: deploy/backup.sh <target directory>   (DATABASE_URL, and MEDIA_ROOT or the S3_* variables, from
# the environment; PYTHON: the portal's interpreter, for s3media.py)
set -euo pipefail
target=${1:?usage: backup.sh <target directory>}
stamp=$(date +%Y%m%d-%H%M%S)
mkdir -p "$target"
pg_dump --format=custom --no-owner --file="$target/portal-$stamp.dump" "${DATABASE_URL:?DATABASE_URL is not set}"
if [ "${MEDIA_STORAGE:-filesystem}" = s3 ]; then
  objects=$(mktemp -d)
  trap 'rm -rf "$objects"' EXIT
  "${PYTHON:-python3}" "$(dirname "$0")/s3media.py" download "$objects"
  tar --create --gzip --file="$target/media-$stamp.tar.gz" --directory="$objects" .
else
  tar --create --gzip --file="$target/media-$stamp.tar.gz" --directory="${MEDIA_ROOT:?MEDIA_ROOT is not set}" .
fi
echo "$target/portal-$stamp.dump"
echo "$target/media-$stamp.tar.gz"
