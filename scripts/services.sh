#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer on 127.0.0.1 (scripts/requirements.sh installs what is missing of them; the
# servers only when none answers) and start them when they are down. Nothing is installed when all is there.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/requirements.sh services

SUDO=()
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO=(sudo); fi

if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  versions=(/etc/postgresql/*)
  "${SUDO[@]}" pg_ctlcluster --skip-systemctl-redirect "$(basename "${versions[-1]}")" main start || true
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432 >/dev/null || { echo "PostgreSQL did not start" >&2; exit 1; }

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
fi
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || { echo "Redis did not start" >&2; exit 1; }
