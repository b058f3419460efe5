#!/usr/bin/env bash
# Restore a backup made by backup.sh into an EMPTY database and an empty media directory.
# Usage: deploy/restore.sh <portal-*.dump> <media-*.tar.gz>   (DATABASE_URL and MEDIA_ROOT from the environment)
set -euo pipefail
dump=${1:?usage: restore.sh <dump> <media tar>}
media=${2:?usage: restore.sh <dump> <media tar>}
pg_restore --no-owner --exit-on-error --dbname="${DATABASE_URL:?DATABASE_URL is not set}" "$dump"
mkdir -p "${MEDIA_ROOT:?MEDIA_ROOT is not set}"
tar --extract --gzip --file="$media" --directory="$MEDIA_ROOT"
echo "restored $dump and $media"
