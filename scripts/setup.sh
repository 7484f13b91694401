#!/usr/bin/env bash
# Everything the demo needs, except serving: packages, venv, database, the FY2019 sample, demo users.
# Idempotent: an edition that is already loaded is kept (use `make reset-demo` to reload it).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
export DEBUG="${DEBUG:-1}"  # the embedded demo (DEBUG is off unless switched on)
PY=.venv/bin/python
$PY manage.py migrate --noinput -v0
if $PY manage.py export_report --zone keihin --year 2019 --no-derived >/dev/null 2>&1; then
  echo "FY2019 sample already loaded (keihin 2019)."
else
  $PY manage.py import_report zoneeval/samples/keihin-fy2019.json
fi
$PY manage.py create_demo_users --zone keihin --year 2019
# The official PDF of the sample (reused by content hash when nothing changed).
# sed, not head: head stops reading after one line and the command's later lines then break the pipe.
$PY manage.py render_report --zone keihin --year 2019 --out var/demo/keihin-2019.pdf | sed -n 1p
echo "PDF: var/demo/keihin-2019.pdf"
