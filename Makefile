# zoneeval — see README.md. `make demo` and `make test` are the two set-up commands.
# DEBUG is off unless asked for; the demo (SQLite, in-process tasks, demo secret key) asks for it.
.PHONY: demo setup serve test reset-demo schema

# The demo's port: `make demo PORT=8123` (or PORT in the environment).
PORT ?= 8000

demo: setup serve

setup:
	scripts/setup.sh

serve:
	@echo "Serving http://127.0.0.1:$(PORT)/  (demo users: see README; password zoneeval-demo, demo only)"
	DEBUG=1 .venv/bin/python manage.py runserver 127.0.0.1:$(PORT)

test:
	scripts/test.sh

reset-demo:  # the demo database is thrown away (its audit log included) and made again
	rm -f $${ZONEEVAL_VAR_DIR:-var}/zoneeval.sqlite3 $${ZONEEVAL_VAR_DIR:-var}/zoneeval.sqlite3-wal $${ZONEEVAL_VAR_DIR:-var}/zoneeval.sqlite3-shm
	scripts/setup.sh

schema:
	DEBUG=1 .venv/bin/python manage.py export_report --schema
