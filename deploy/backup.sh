#!/usr/bin/env bash
# Back up the portal: the database (pg_dump, custom format) and the attachments (a tar of MEDIA_ROOT).
# Usage: deploy/backup.sh <target directory>   (DATABASE_URL and MEDIA_ROOT from the environment)
set -euo pipefail
target=${1:?usage: backup.sh <target directory>}
stamp=$(date +%Y%m%d-%H%M%S)
mkdir -p "$target"
pg_dump --format=custom --no-owner --file="$target/portal-$stamp.dump" "${DATABASE_URL:?DATABASE_URL is not set}"
tar --create --gzip --file="$target/media-$stamp.tar.gz" --directory="${MEDIA_ROOT:?MEDIA_ROOT is not set}" .
echo "$target/portal-$stamp.dump"
echo "$target/media-$stamp.tar.gz"
