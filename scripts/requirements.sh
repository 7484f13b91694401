#!/usr/bin/env bash
# What zoneeval needs from the system, checked by what is actually used (commands, fonts, shared libraries, files),
# never by Debian package names: psql may come from postgresql-client-15, a font from another package. Only what is
# missing is installed, with apt-get (as root, or through sudo); nothing missing: no apt-get at all, no root needed.
#
# Usage: scripts/requirements.sh [--check-only] GROUP...
#   GROUP: demo (fonts, WeasyPrint's libraries, poppler, Python's venv), services (PostgreSQL and Redis clients; the
#          servers only when none answers on 127.0.0.1), test (Chromium; npm when node_modules lacks axe-core).
#   --check-only: list what is missing and exit 1 if anything is; install nothing.
#
# No pipe into an early-exiting reader (grep -q, head) anywhere: under pipefail the writer's SIGPIPE would fail the
# check at random. Outputs are read into variables, then matched.
set -euo pipefail
cd "$(dirname "$0")/.."

check_only=0
groups=()
for arg in "$@"; do
  case "$arg" in
    --check-only) check_only=1 ;;
    demo|services|test) groups+=("$arg") ;;
    *) echo "requirements.sh: unknown argument '$arg' (groups: demo services test; --check-only)" >&2; exit 2 ;;
  esac
done
[ ${#groups[@]} -gt 0 ] || groups=(demo)

missing=()    # what is missing, for the message
packages=()   # the Debian packages that provide it

need() {  # need PACKAGE DESCRIPTION
  missing+=("$2 ($1)")
  case " ${packages[*]-} " in *" $1 "*) ;; *) packages+=("$1") ;; esac
}
has() { command -v "$1" >/dev/null 2>&1; }
need_command() { has "$1" || need "$2" "command $1"; }  # need_command COMMAND PACKAGE

check_demo() {
  need_command fc-list fontconfig
  local families=""
  if has fc-list; then families=$(fc-list :lang=ja family 2>/dev/null || true); fi
  [[ $families == *IPAexGothic* ]] || need fonts-ipaexfont "Japanese font IPAexGothic (the PDF's font)"
  [[ $families == *"Noto Sans CJK JP"* ]] || need fonts-noto-cjk "Japanese font Noto Sans CJK JP (fallback)"
  local ldconfig libs="" entry
  ldconfig=$(command -v ldconfig || echo /sbin/ldconfig)
  if [ -x "$ldconfig" ]; then libs=$("$ldconfig" -p 2>/dev/null || true); fi
  for entry in libpango-1.0.so.0:libpango-1.0-0 libpangoft2-1.0.so.0:libpangoft2-1.0-0 \
               libharfbuzz.so.0:libharfbuzz0b libharfbuzz-subset.so.0:libharfbuzz-subset0; do
    [[ $libs == *"${entry%%:*} "* ]] || need "${entry#*:}" "library ${entry%%:*} (WeasyPrint)"
  done
  need_command pdftotext poppler-utils
  need_command pdftoppm poppler-utils
  if [ ! -x .venv/bin/python ]; then
    local python=${PYTHON:-python3}
    need_command "$python" python3
    if has "$python" && ! "$python" -c "import ensurepip, venv" >/dev/null 2>&1; then
      need python3-venv "Python's venv module"
    fi
  fi
}

check_services() {
  need_command psql postgresql-client
  need_command createdb postgresql-client
  need_command dropdb postgresql-client
  need_command pg_isready postgresql-client
  need_command redis-cli redis-tools
  # The servers only when nothing answers (they may run elsewhere, e.g. another container).
  if ! { has pg_isready && pg_isready -h 127.0.0.1 -p 5432 -q; }; then
    need_command pg_ctlcluster postgresql
  fi
  if ! { has redis-cli && redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; }; then
    need_command redis-server redis-server
  fi
}

check_test() {
  has chromium || [ -x /usr/bin/chromium ] || need chromium "Chromium (browser tests)"
  if [ ! -f node_modules/axe-core/axe.min.js ]; then
    need_command npm npm  # for `npm ci` (axe-core, the accessibility checks)
  fi
}

check_all() {
  missing=()
  packages=()
  local group
  for group in "${groups[@]}"; do "check_$group"; done
}

check_all
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "Missing: ${missing[*]}" >&2
if [ "$check_only" -eq 1 ]; then
  exit 1
fi

apt=(apt-get)
if [ "$(id -u)" -ne 0 ]; then
  if has sudo; then
    apt=(sudo apt-get)
  else
    echo "Install as root: apt-get install ${packages[*]}" >&2
    exit 1
  fi
fi
echo "Installing Debian packages: ${packages[*]}"
apt_install() {
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
}
# The package lists are only refreshed when an install from the present ones fails.
if ! apt_install; then
  "${apt[@]}" update -qq
  apt_install
fi
if has fc-cache; then fc-cache -f >/dev/null 2>&1 || true; fi

check_all
if [ ${#missing[@]} -gt 0 ]; then
  echo "Still missing after installing: ${missing[*]}" >&2
  exit 1
fi
