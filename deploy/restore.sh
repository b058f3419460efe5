#!/usr/bin/env bash
# Restore a backup made by backup.sh into an EMPTY database and an empty media directory (or, with
# MEDIA_STORAGE=s3, an empty bucket: deploy/s3media.py uploads the objects and refuses a bucket in use).
# Usage: deploy/restore.sh <portal-*.dump> <media-*.tar.gz>   (DATABASE_URL, and MEDIA_ROOT or the S3_*
# variables, from the environment; PYTHON: the portal's interpreter, for s3media.py)
set -euo pipefail
dump=${1:?usage: restore.sh <dump> <media tar>}
media=${2:?usage: restore.sh <dump> <media tar>}
pg_restore --no-owner --exit-on-error --dbname="${DATABASE_URL:?DATABASE_URL is not set}" "$dump"
if [ "${MEDIA_STORAGE:-filesystem}" = s3 ]; then
  objects=$(mktemp -d)
  trap 'rm -rf "$objects"' EXIT
  tar --extract --gzip --file="$media" --directory="$objects"
  "${PYTHON:-python3}" "$(dirname "$0")/s3media.py" upload "$objects"
else
  mkdir -p "${MEDIA_ROOT:?MEDIA_ROOT is not set}"
  tar --extract --gzip --file="$media" --directory="$MEDIA_ROOT"
fi
echo "restored $dump and $media"
