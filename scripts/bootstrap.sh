#!/usr/bin/env bash
# Install what zoneeval needs on a Debian machine: what is missing of the system's part (scripts/requirements.sh:
# Japanese fonts, WeasyPrint's libraries, poppler, ...; checked by command, font and library, not by package name),
# the .venv and the pinned requirements. Idempotent; asks nothing; no apt-get (and no root) when nothing is missing.
# Usage: scripts/bootstrap.sh [GROUP...]   (groups of scripts/requirements.sh; default: demo)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/requirements.sh "${@:-demo}"

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.requirements.sha256
want=$(sha256sum requirements.txt)
want=${want%% *}
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  .venv/bin/pip install -q --disable-pip-version-check -r requirements.txt
  echo "$want" > "$stamp"
fi
