#!/usr/bin/env bash
# The test suite, on PostgreSQL and Redis (with a real Celery worker where a test asks for one).
#
# Each run has a database and a Redis db of its own, so that runs side by side (and other users of the same server)
# never meet: the database zoneeval_run_<id> is created here (pytest-django makes test_zoneeval_run_<id> from it) and
# both are dropped when the run ends, however it ends; the Redis db is the first of 1..15 that is empty and that this
# run claims atomically (SET zoneeval:test-claim <id> NX EX 7200), flushed and so released at the end only if the
# claim is still this run's. TEST_DATABASE_URL / TEST_CELERY_BROKER_URL override either (then nothing of it is
# created or removed here).
#
# Usage: scripts/test.sh [--prepare-only] [pytest arguments]
#   --prepare-only: check and install what the suite needs (scripts/bootstrap.sh, npm ci, scripts/services.sh),
#                   run no test.
set -euo pipefail
cd "$(dirname "$0")/.."

prepare_only=0
if [ "${1:-}" = "--prepare-only" ]; then prepare_only=1; shift; fi

scripts/bootstrap.sh demo services test
if [ ! -f node_modules/axe-core/axe.min.js ]; then
  npm ci --no-audit --no-fund
fi
scripts/services.sh
if [ "$prepare_only" -eq 1 ]; then
  exit 0
fi

PGUSER=${PGUSER:-postgres}
run_id="$$$RANDOM"
own_db=""
own_redis=""

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$own_db" ]; then
    # Only this run's databases; --force ends what is left of this run's own sessions (a killed worker).
    dropdb -h 127.0.0.1 -U "$PGUSER" --if-exists --force "test_$own_db" || true
    dropdb -h 127.0.0.1 -U "$PGUSER" --if-exists --force "$own_db" || true
  fi
  if [ -n "$own_redis" ]; then
    redis-cli -h 127.0.0.1 -p 6379 -n "$own_redis" EVAL \
      "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('FLUSHDB') return 1 end return 0" \
      1 zoneeval:test-claim "$run_id" >/dev/null || true
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -n "${TEST_DATABASE_URL:-}" ]; then
  export DATABASE_URL=$TEST_DATABASE_URL
else
  own_db="zoneeval_run_$run_id"
  createdb -h 127.0.0.1 -U "$PGUSER" "$own_db"
  export DATABASE_URL="postgres://$PGUSER@127.0.0.1:5432/$own_db"
fi

if [ -n "${TEST_CELERY_BROKER_URL:-}" ]; then
  export CELERY_BROKER_URL=$TEST_CELERY_BROKER_URL
else
  for n in $(seq 1 15); do
    [ "$(redis-cli -h 127.0.0.1 -p 6379 -n "$n" DBSIZE)" = "0" ] || continue
    if [ "$(redis-cli -h 127.0.0.1 -p 6379 -n "$n" SET zoneeval:test-claim "$run_id" NX EX 7200)" = "OK" ]; then
      own_redis=$n
      break
    fi
  done
  if [ -z "$own_redis" ]; then
    echo "No empty Redis db among 1..15 on 127.0.0.1:6379; set TEST_CELERY_BROKER_URL=redis://…/N" >&2
    exit 1
  fi
  export CELERY_BROKER_URL="redis://127.0.0.1:6379/$own_redis"
fi
echo "Test run $run_id: database ${DATABASE_URL##*/} (pytest-django: test_${DATABASE_URL##*/}), Redis $CELERY_BROKER_URL"

.venv/bin/python -m pytest --durations=10 "$@"
