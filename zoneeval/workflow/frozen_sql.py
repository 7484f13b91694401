"""Database triggers that make a submitted edition frozen and the audit log append-only, in the database itself,
whatever the way in (ORM, bulk operations, raw SQL), on PostgreSQL and on SQLite.

Generated from the one declaration (``EDITION_PATH`` on the models, reports/content.py): for every table of a model
that belongs to an edition, a trigger refuses INSERT, UPDATE and DELETE of a row whose edition (before or after the
change) is submitted, joining its way to the edition where the path has several steps. ``reports_edition`` refuses
any UPDATE or DELETE of a submitted row (so nothing un-submits it); a zone's and an authority's slug, printed by a
submitted edition, do not change. The audit log refuses UPDATE and DELETE.

``install`` drops every trigger it made and creates them again from the models; it runs in a migration and after
every ``migrate`` (post_migrate), so the triggers always match the declaration, also after SQLite rebuilds a table.
Messages carry ``MARK_FROZEN`` / ``MARK_AUDIT`` so that archive/freeze.py can turn them into ``EditionFrozen`` and
``AuditLogImmutable``.
"""
from __future__ import annotations

import hashlib

MARK_FROZEN = "zoneeval-frozen"
MARK_AUDIT = "the audit log is append-only"
PREFIX = "zoneeval_frozen_"
AUDIT_PREFIX = "zoneeval_audit_"


def _name(*parts: str) -> str:
    name = PREFIX + "_".join(parts)
    if len(name) > 63:
        name = name[:54] + "_" + hashlib.sha1(name.encode()).hexdigest()[:8]
    return name


def _qn(name: str) -> str:
    return '"%s"' % name.replace('"', '""')


def edition_id_sql(model, row: str) -> str:
    """SQL for the id of the edition that ``row`` (NEW or OLD) of ``model``'s table belongs to."""
    from ..reports.content import edition_path

    steps = []
    current = model
    for hop in edition_path(model).split("__"):
        field = current._meta.get_field(hop)
        steps.append(field)
        current = field.related_model
    first, *rest = steps
    start = f"{row}.{_qn(first.column)}"
    if not rest:
        return start
    tables = [first.related_model] + [f.related_model for f in rest[:-1]]
    sql = f"SELECT j{len(rest)}.{_qn(rest[-1].column)} FROM {_qn(tables[0]._meta.db_table)} j1"
    for index in range(1, len(rest)):
        via = rest[index - 1]
        sql += (f" JOIN {_qn(tables[index]._meta.db_table)} j{index + 1}"
                f" ON j{index + 1}.{_qn(via.target_field.column)} = j{index}.{_qn(via.column)}")
    sql += f" WHERE j1.{_qn(first.target_field.column)} = {start}"
    return f"({sql})"


def _frozen(model, row: str) -> str:
    from ..reports.models import Edition

    table = _qn(Edition._meta.db_table)
    return (f"EXISTS (SELECT 1 FROM {table} e WHERE e.{_qn(Edition._meta.pk.column)} = {edition_id_sql(model, row)}"
            f" AND e.{_qn('submitted_at')} IS NOT NULL)")


def _message(op: str, table: str, why: str) -> str:
    return f"{MARK_FROZEN}: {op} on {table} refused: {why}"


# ---- what to create ------------------------------------------------------------------------------------------

def _identity_guards():
    """(model, condition on OLD that says a submitted edition prints its slug)."""
    from ..authorities.models import Authority
    from ..reports.models import CoAuthor, Edition, Zone

    e, c = _qn(Edition._meta.db_table), _qn(CoAuthor._meta.db_table)
    return [
        (Zone, f"EXISTS (SELECT 1 FROM {e} e WHERE e.zone_id = OLD.id AND e.submitted_at IS NOT NULL)"),
        (Authority, f"EXISTS (SELECT 1 FROM {c} c JOIN {e} e ON e.id = c.edition_id WHERE c.authority_id = OLD.id "
                    f"AND e.submitted_at IS NOT NULL)"),
    ]


def _postgresql() -> list[tuple[str, list[str]]]:
    from ..reports.content import edition_models
    from ..reports.models import Edition
    from .models import AuditEntry

    made = []
    for model in edition_models():
        table = model._meta.db_table
        name = _name(table)
        made.append((table, [f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    IF {_frozen(model, "OLD")} THEN
      RAISE EXCEPTION '{_message("%", table, "its edition is submitted")}', TG_OP;
    END IF;
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  IF {_frozen(model, "NEW")} THEN
    RAISE EXCEPTION '{_message("%", table, "the edition is submitted")}', TG_OP;
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql""", f"""
CREATE TRIGGER {name} BEFORE INSERT OR UPDATE OR DELETE ON {_qn(table)}
  FOR EACH ROW EXECUTE FUNCTION {name}()"""]))
    table = Edition._meta.db_table
    name = _name(table)
    made.append((table, [f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
BEGIN
  IF OLD.submitted_at IS NOT NULL THEN
    RAISE EXCEPTION '{_message("%", table, "the edition is submitted")}', TG_OP;
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql""", f"""
CREATE TRIGGER {name} BEFORE UPDATE OR DELETE ON {_qn(table)}
  FOR EACH ROW EXECUTE FUNCTION {name}()"""]))
    for model, printed in _identity_guards():
        table = model._meta.db_table
        name = _name(table)
        made.append((table, [f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
BEGIN
  IF NEW.slug IS DISTINCT FROM OLD.slug AND {printed} THEN
    RAISE EXCEPTION '{_message("UPDATE", table, "a submitted edition prints this slug")}';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql""", f"""
CREATE TRIGGER {name} BEFORE UPDATE ON {_qn(table)} FOR EACH ROW EXECUTE FUNCTION {name}()"""]))
    table = AuditEntry._meta.db_table
    name = AUDIT_PREFIX + "append_only"
    made.append((table, [f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '{MARK_AUDIT} (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql""", f"""
CREATE TRIGGER {name} BEFORE UPDATE OR DELETE ON {_qn(table)} FOR EACH ROW EXECUTE FUNCTION {name}()"""]))
    return made


def _sqlite_trigger(name: str, when: str, table: str, condition: str, message: str) -> str:
    return (f"CREATE TRIGGER {name} BEFORE {when} ON {_qn(table)} FOR EACH ROW WHEN {condition} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END")


def _sqlite() -> list[tuple[str, list[str]]]:
    from ..reports.content import edition_models
    from ..reports.models import Edition
    from .models import AuditEntry

    made = []
    for model in edition_models():
        table = model._meta.db_table
        frozen_old, frozen_new = _frozen(model, "OLD"), _frozen(model, "NEW")
        made.append((table, [
            _sqlite_trigger(_name(table, "insert"), "INSERT", table, frozen_new,
                            _message("INSERT", table, "the edition is submitted")),
            _sqlite_trigger(_name(table, "update"), "UPDATE", table, f"{frozen_old} OR {frozen_new}",
                            _message("UPDATE", table, "the edition is submitted")),
            _sqlite_trigger(_name(table, "delete"), "DELETE", table, frozen_old,
                            _message("DELETE", table, "its edition is submitted")),
        ]))
    table = Edition._meta.db_table
    made.append((table, [
        _sqlite_trigger(_name(table, op.lower()), op, table, "OLD.submitted_at IS NOT NULL",
                        _message(op, table, "the edition is submitted"))
        for op in ("UPDATE", "DELETE")
    ]))
    for model, printed in _identity_guards():
        table = model._meta.db_table
        made.append((table, [_sqlite_trigger(_name(table, "update"), "UPDATE", table,
                                             f"NEW.slug IS NOT OLD.slug AND {printed}",
                                             _message("UPDATE", table, "a submitted edition prints this slug"))]))
    table = AuditEntry._meta.db_table
    made.append((table, [
        f"CREATE TRIGGER {AUDIT_PREFIX}{op.lower()} BEFORE {op} ON {_qn(table)} FOR EACH ROW "
        f"BEGIN SELECT RAISE(ABORT, '{MARK_AUDIT} ({op} refused)'); END"
        for op in ("UPDATE", "DELETE")
    ]))
    return made


# ---- install / uninstall -------------------------------------------------------------------------------------

def uninstall(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # the audit trigger of migration 0002, made here since
            cursor.execute("DROP TRIGGER IF EXISTS workflow_auditentry_append_only ON workflow_auditentry")
            cursor.execute(
                "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal AND (t.tgname LIKE %s OR t.tgname LIKE %s)",
                [PREFIX + "%", AUDIT_PREFIX + "%"])
            for trigger, table in cursor.fetchall():
                cursor.execute(f"DROP TRIGGER IF EXISTS {_qn(trigger)} ON {_qn(table)}")
            cursor.execute("SELECT proname FROM pg_proc WHERE proname LIKE %s OR proname LIKE %s",
                           [PREFIX + "%", AUDIT_PREFIX + "%"])
            for (function,) in cursor.fetchall():
                cursor.execute(f"DROP FUNCTION IF EXISTS {_qn(function)}()")
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND (name LIKE %s OR name LIKE %s)",
                           [PREFIX + "%", AUDIT_PREFIX + "%"])
            for (trigger,) in cursor.fetchall():
                cursor.execute(f"DROP TRIGGER IF EXISTS {_qn(trigger)}")


def install(connection) -> int:
    """(Re)create every trigger for the current models; tables not created yet are skipped. Returns the count."""
    if connection.vendor == "postgresql":
        made = _postgresql()
    elif connection.vendor == "sqlite":
        made = _sqlite()
    else:
        return 0
    existing = set(connection.introspection.table_names())
    uninstall(connection)
    count = 0
    with connection.cursor() as cursor:
        for table, statements in made:
            if table not in existing:
                continue
            for statement in statements:
                cursor.execute(statement)
                count += 1
    return count
