#!/usr/bin/env bash
# Restore of a scripts/backup.sh folder into the database of DATABASE_URL (existing and empty) and the configured
# artefact store, then the check of every archived file (verify_archive). README "Backup and restore".
#
#   DATABASE_URL=postgres://…/newdb [ZONEEVAL_ARTEFACT_DIR=… | ARTEFACT_S3_*=…] scripts/restore.sh [--force] INDIR
#
# Refuses a folder whose SHA256SUMS does not check, and a database that already has tables unless --force (which
# drops the objects of the dump first and replaces stored files whose content differs).
set -euo pipefail
force=0
args=()
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    -*) echo "不明なオプション：$arg" >&2; exit 2 ;;
    *) args+=("$arg") ;;
  esac
done
if [ ${#args[@]} -ne 1 ]; then
  echo "使い方：scripts/restore.sh [--force] INDIR" >&2
  exit 2
fi
in=$(realpath -e -- "${args[0]}")
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
case "${DATABASE_URL:-}" in
  postgres://*|postgresql://*) ;;
  *) echo "DATABASE_URL に PostgreSQL の接続先（postgres://…）を指定してください。" >&2; exit 2 ;;
esac
started=$SECONDS

# 1. The backup is complete and unchanged.
for needed in SHA256SUMS database.dump artefacts/manifest.json; do
  if [ ! -f "$in/$needed" ]; then
    echo "$in/$needed がありません：完了したバックアップではありません。" >&2
    exit 1
  fi
done
for listed in database.dump artefacts/manifest.json; do
  if ! grep -qE "^[0-9a-f]{64}  $listed\$" "$in/SHA256SUMS"; then
    echo "SHA256SUMS に $listed がありません。" >&2
    exit 1
  fi
done
if ! (cd "$in" && sha256sum --check --strict --quiet SHA256SUMS); then
  echo "SHA256SUMS が一致しません：バックアップが壊れているか変更されています。復元しません。" >&2
  exit 1
fi

# 2. The database: existing and empty, unless --force.
tables=$(psql --no-psqlrc --quiet --tuples-only --no-align --dbname="$DATABASE_URL" --command="
  select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')
    and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_toast%'")
restore_options=(--no-owner --exit-on-error --single-transaction)
overwrite=()
if [ "$tables" != "0" ]; then
  if [ "$force" != 1 ]; then
    echo "復元先のデータベースは空ではありません（テーブルなど $tables 個）。空のデータベースを指定するか、置き換えるなら --force を付けてください。" >&2
    exit 1
  fi
  restore_options+=(--clean --if-exists)
fi
if [ "$force" = 1 ]; then
  overwrite=(--overwrite)
fi
pg_restore "${restore_options[@]}" --dbname="$DATABASE_URL" "$in/database.dump"

# 3. The artefact store, then 4. every archived file checked against the restored database.
$PY manage.py restore_artefacts --from "$in/artefacts" "${overwrite[@]}"
$PY manage.py verify_archive
echo "復元完了：$in から（$((SECONDS - started)) 秒）"
