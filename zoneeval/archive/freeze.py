"""A submitted edition is frozen: nothing that belongs to it changes, whatever the way in.

What belongs to an edition is declared once, on the models (``EDITION_PATH``, reports/content.py); everything here
is derived from that declaration, for every installed model that has one:

- the guarantee is in the database: triggers refuse INSERT/UPDATE/DELETE of rows whose edition is submitted, any
  change of a submitted edition (un-submitting it included) and a change of a slug a submitted edition prints, on
  PostgreSQL and SQLite (frozen_sql.py, installed after every migrate);
- the user gets a clean ``EditionFrozen`` (a Japanese message, HTTP 403) before the database is reached: model
  signals (save and delete, checking the edition a row belongs to before *and* after the change, so a row is not
  moved out either), the bulk operations of the models' QuerySet (reports/content.py) and many-to-many changes;
- a refusal that only the database saw (raw SQL, a base manager) is turned into the same ``EditionFrozen`` (and the
  audit log's into ``AuditLogImmutable``) by a wrapper on every database connection.

Allowed after submission: appending audit entries (append-only anyway), and what is no content of the edition
(who has a part open, assembly runs and rendered artefacts, stored exports). The Submission row is created in the
transaction that submits, before ``submitted_at`` is set (archive/services.py ``submit``). A correction (訂正版)
is a new edition: the submitted one it supersedes is never written to.

The SQL of the triggers stays in workflow/frozen_sql.py: the applied migration workflow 0004_freeze_triggers imports
it, and it also makes the workflow's audit log append-only. This module, the runtime guard, is the archive app's,
connected by ArchiveConfig.ready().
"""
from django.apps import apps
from django.db import DatabaseError, connections
from django.db.backends.signals import connection_created
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_migrate, pre_delete, pre_migrate, pre_save

from ..reports.content import (
    FROZEN_MESSAGE,
    EditionFrozen,
    edition_id_of,
    edition_models,
    edition_path,
    refuse_if_frozen,
)
from ..workflow import frozen_sql

MESSAGE = FROZEN_MESSAGE
SLUG_MESSAGE = "提出済みの評価書に記載された識別子（スラッグ）は変更できません。"

__all__ = ["EditionFrozen", "MESSAGE", "connect", "guarded_models"]


def guarded_models() -> list:
    return edition_models()


def _edition():
    return apps.get_model("reports", "Edition")


# ---- rows that belong to an edition --------------------------------------------------------------------------

def _refuse_row(sender, instance, raw=False, **kwargs):
    """Before a save or delete: refuse when the row's edition, as stored or as it would be, is submitted."""
    if raw:  # fixtures: the database triggers decide
        return
    edition_id = edition_id_of(instance)
    where = Q(pk=edition_id) if edition_id is not None else Q(pk__in=[])
    if instance.pk is not None:
        stored = sender._base_manager.filter(pk=instance.pk).values(edition_path(sender))
        where |= Q(pk__in=stored)
    refuse_if_frozen(where)


def _refuse_link_change(sender, instance, action, model, pk_set, **kwargs):
    """Many-to-many add/remove/clear/set, from either side."""
    if sender not in _GUARDED or not action.startswith("pre_"):
        return
    where = Q(pk__in=[])
    if type(instance) in _GUARDED:
        where |= Q(pk=edition_id_of(instance))
    if pk_set and model in _GUARDED:
        where |= Q(pk__in=model._base_manager.filter(pk__in=pk_set).values(edition_path(model)))
    if action == "pre_clear":
        for field in sender._meta.fields:
            if field.is_relation and isinstance(instance, field.related_model):
                where |= Q(pk__in=sender._base_manager.filter(**{field.name: instance.pk}).values(edition_path(sender)))
    refuse_if_frozen(where)


# ---- the edition itself, and the identifiers it prints -------------------------------------------------------

def _refuse_edition_change(sender, instance, raw=False, **kwargs):
    if instance.pk and sender._base_manager.filter(pk=instance.pk, submitted_at__isnull=False).exists():
        raise EditionFrozen()


def _printed_by_submitted(lookup):
    def refuse(sender, instance, raw=False, **kwargs):
        if raw or instance.pk is None:
            return
        stored = sender._base_manager.filter(pk=instance.pk).values_list("slug", flat=True).first()
        if stored is not None and stored != instance.slug and _edition()._base_manager.filter(
                **{lookup: instance.pk}, submitted_at__isnull=False).exists():
            raise EditionFrozen(SLUG_MESSAGE)
    return refuse


# ---- database refusals become the same exceptions ------------------------------------------------------------

def _translate_refusals(execute, sql, params, many, context):
    try:
        return execute(sql, params, many, context)
    except DatabaseError as error:
        text = str(error)
        if frozen_sql.MARK_FROZEN in text:
            raise EditionFrozen(SLUG_MESSAGE if "slug" in text else MESSAGE) from error
        if frozen_sql.MARK_AUDIT in text:
            from ..workflow.models import AuditLogImmutable

            raise AuditLogImmutable("the audit log is append-only") from error
        raise


def _wrap(connection) -> None:
    if _translate_refusals not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, _translate_refusals)  # innermost: outlives pushed/popped wrappers


def _on_connection_created(sender, connection, **kwargs):
    _wrap(connection)


# ---- triggers follow the models ------------------------------------------------------------------------------

def _before_migrate(sender, using="default", **kwargs):
    # SQLite rebuilds a table to alter it, and refuses the rename while a trigger names a table that is gone:
    # the triggers are taken away for the migration and made again after it.
    if connections[using].vendor == "sqlite":
        frozen_sql.uninstall(connections[using])


def _after_migrate(sender, using="default", **kwargs):
    from django.db.migrations.recorder import MigrationRecorder

    # unless migrated back to before the migration that made them (workflow 00xx_freeze_triggers)
    applied = MigrationRecorder(connections[using]).applied_migrations()
    if any(app == "workflow" and name.endswith("_freeze_triggers") for app, name in applied):
        frozen_sql.install(connections[using])


_GUARDED: set = set()


def connect() -> None:
    _GUARDED.update(guarded_models())
    for model in _GUARDED:
        uid = f"{model._meta.label}"
        pre_save.connect(_refuse_row, sender=model, dispatch_uid=f"freeze-save-{uid}")
        pre_delete.connect(_refuse_row, sender=model, dispatch_uid=f"freeze-delete-{uid}")
    m2m_changed.connect(_refuse_link_change, dispatch_uid="freeze-m2m")
    edition = _edition()
    pre_save.connect(_refuse_edition_change, sender=edition, dispatch_uid="freeze-edition-save")
    pre_delete.connect(_refuse_edition_change, sender=edition, dispatch_uid="freeze-edition-delete")
    pre_save.connect(_printed_by_submitted("zone"), sender=apps.get_model("reports", "Zone"), weak=False,
                     dispatch_uid="freeze-zone-slug")
    pre_save.connect(_printed_by_submitted("coauthors__authority"), sender=apps.get_model("authorities", "Authority"),
                     weak=False, dispatch_uid="freeze-authority-slug")
    connection_created.connect(_on_connection_created, dispatch_uid="freeze-translate-refusals")
    for connection in connections.all(initialized_only=True):
        _wrap(connection)
    workflow = apps.get_app_config("workflow")
    pre_migrate.connect(_before_migrate, sender=workflow, dispatch_uid="freeze-triggers-before-migrate")
    post_migrate.connect(_after_migrate, sender=workflow, dispatch_uid="freeze-triggers-after-migrate")
