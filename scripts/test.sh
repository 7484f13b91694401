#!/usr/bin/env bash
# The test suite, on PostgreSQL and Redis (with a real Celery worker where a test asks for one).
set -euo pipefail
cd "$(dirname "$0")/.."
extra=(postgresql-client chromium)
command -v npm >/dev/null || extra+=(npm)  # Debian's npm, for axe-core (the accessibility checks of the browser tests)
scripts/bootstrap.sh "${extra[@]}"
if [ ! -f node_modules/axe-core/axe.min.js ]; then
  npm ci --no-audit --no-fund
fi
scripts/services.sh
export DATABASE_URL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/zoneeval}
export CELERY_BROKER_URL=${TEST_CELERY_BROKER_URL:-redis://127.0.0.1:6379/15}
# A session left on the test database by an earlier run (e.g. a killed worker) would stop its re-creation.
psql -h 127.0.0.1 -U "${PGUSER:-postgres}" -d postgres -qtAc \
  "select pg_terminate_backend(pid) from pg_stat_activity where datname = 'test_zoneeval' and pid <> pg_backend_pid()" \
  >/dev/null || true
exec .venv/bin/python -m pytest --durations=10 "$@"
