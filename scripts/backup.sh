#!/usr/bin/env bash
# Backup of zoneeval: the database (pg_dump, custom format) and the artefact store (through the storage API, so a
# local folder or S3 alike), with a SHA256SUMS over both. README "Backup and restore".
#
#   DATABASE_URL=postgres://… [ZONEEVAL_ARTEFACT_DIR=… | ARTEFACT_S3_*=…] scripts/backup.sh OUTDIR
#
# OUTDIR must be new or empty. It gets database.dump, artefacts/ (with manifest.json) and, written last, SHA256SUMS:
# a folder without SHA256SUMS is an incomplete backup. Exits non-zero (and writes no SHA256SUMS) when pg_dump fails
# or a stored file is missing or differs from the SHA-256 recorded in the database.
set -euo pipefail
if [ $# -ne 1 ]; then
  echo "使い方：scripts/backup.sh OUTDIR" >&2
  exit 2
fi
out=$(realpath -m -- "$1")
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
case "${DATABASE_URL:-}" in
  postgres://*|postgresql://*) ;;
  *) echo "DATABASE_URL に PostgreSQL の接続先（postgres://…）を指定してください。" >&2; exit 2 ;;
esac
if [ -e "$out" ] && [ -n "$(ls -A -- "$out")" ]; then
  echo "$out は空ではありません。新しいフォルダを指定してください。" >&2
  exit 2
fi
mkdir -p -- "$out"
started=$SECONDS
# The database first: artefacts are written before the rows that name them and never change, so every artefact the
# dump names is in the store when it is copied afterwards.
pg_dump --format=custom --file="$out/database.dump" --dbname="$DATABASE_URL"
$PY manage.py backup_artefacts --out "$out/artefacts"
# SHA256SUMS last (no pipes: see scripts/requirements.sh): a folder without it is an incomplete backup.
(cd "$out" && find . -type f ! -name SHA256SUMS ! -name 'SHA256SUMS.*' -printf '%P\0' > SHA256SUMS.files \
  && sort -z -o SHA256SUMS.files SHA256SUMS.files && xargs -0 -r -a SHA256SUMS.files sha256sum -- > SHA256SUMS.partial \
  && rm SHA256SUMS.files && mv SHA256SUMS.partial SHA256SUMS)
size=$(du -sh -- "$out")
echo "バックアップ完了：$out（${size%%$'\t'*}、$((SECONDS - started)) 秒）"
