#!/usr/bin/env bash
# Everything the demo needs, except serving: packages, venv, database, the FY2019 sample, demo users, the PDF.
# Idempotent and quick when nothing changed: every step is skipped when done (setup_demo); an edition that is loaded
# is kept (`make reset-demo` reloads it), demo users that exist keep their roles.
# No pipes: a reader that stops early (head) breaks the writer's pipe, and under pipefail that failed the set-up.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
export DEBUG="${DEBUG:-1}"  # the embedded demo (DEBUG is off unless switched on)
.venv/bin/python manage.py setup_demo --zone keihin --year 2019 --sample zoneeval/samples/keihin-fy2019.json \
  --out "${ZONEEVAL_VAR_DIR:-var}/demo/keihin-2019.pdf"
