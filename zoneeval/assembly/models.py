"""Assembly runs (assemble → validate → render), the snapshots they assembled and the artefacts they rendered."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..reports.content import EditionContentManager


class AssembledSnapshot(models.Model):
    """Exactly what was validated and rendered: the interchange data of the edition at one moment, keyed by the
    SHA-256 of its canonical JSON. Frozen with its edition (runs and artefacts are operational records: see
    archive/freeze.py)."""

    EDITION_PATH = "edition"
    objects = EditionContentManager()

    edition = models.ForeignKey("reports.Edition", on_delete=models.CASCADE, related_name="snapshots")
    content_hash = models.CharField(max_length=64)
    payload = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["edition", "content_hash"], name="unique_snapshot_hash")]


class Artefact(models.Model):
    """A rendered file. The same content rendered by the same renderer (templates, stylesheets, layout code: see
    renderer.py) gives the same artefact: it is never rendered twice. A submitted PDF (FINAL_PDF) is the record of
    what was submitted and is never rendered again, whatever the renderer."""

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"  # a draft: 「案」 and its date on every page
        FINAL_PDF = "final_pdf", "提出版PDF"  # rendered once, when the edition is submitted: no 案 mark

    content_hash = models.CharField(max_length=64)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PDF)
    renderer = models.CharField(_("レンダラー"), max_length=64, blank=True, default="")
    relative_path = models.CharField(max_length=300)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(_("ファイルのSHA-256"), max_length=64)
    pages = models.PositiveIntegerField(default=0)
    render_seconds = models.FloatField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["content_hash", "kind", "renderer"], name="unique_artefact")]

    # The file lives in the artefact store (assembly/storage.py): a local folder or an object store, never a path
    # that another host could not see.
    def stored(self) -> bool:
        from .storage import artefact_storage

        return artefact_storage().exists(self.relative_path)

    def open(self):
        """The stored file, opened for reading in binary mode (a streaming body for FileResponse)."""
        from .storage import artefact_storage

        return artefact_storage().open(self.relative_path, "rb")

    def read_bytes(self) -> bytes:
        with self.open() as handle:
            return handle.read()


class AssemblyRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("待機中")
        RUNNING = "running", _("実行中")
        SUCCEEDED = "succeeded", _("完了")
        FAILED = "failed", _("失敗")

    class Stage(models.TextChoices):
        QUEUED = "queued", _("待機中")
        ASSEMBLE = "assemble", _("取りまとめ")
        VALIDATE = "validate", _("検証")
        RENDER = "render", _("PDF作成")
        DONE = "done", _("完了")

    edition = models.ForeignKey("reports.Edition", on_delete=models.CASCADE, related_name="assembly_runs")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.QUEUED)
    percent = models.PositiveSmallIntegerField(default=0)
    timings = models.JSONField(default=dict, blank=True)
    findings = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    snapshot = models.ForeignKey(AssembledSnapshot, on_delete=models.CASCADE, null=True, blank=True, related_name="runs")
    artefact = models.ForeignKey(Artefact, on_delete=models.PROTECT, null=True, blank=True, related_name="runs")
    rendered_now = models.BooleanField(default=False, help_text="False when an existing artefact was reused")
    pieces_total = models.PositiveIntegerField(default=0, help_text="pieces of the PDF rendered in parallel")
    pieces_done = models.PositiveIntegerField(default=0, help_text="of which rendered (or found in the cache)")
    attempts = models.PositiveIntegerField(default=0)
    failure = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"run #{self.pk} {self.edition} {self.status}"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    TIMING_LABELS = {"assemble": _("取りまとめ"), "validate": _("検証"), "render": _("PDF作成"), "merge": _("うち結合")}

    @property
    def timings_display(self) -> list[tuple[str, float]]:
        """The stages' times as the run page prints them: (label, seconds), in the pipeline's order (PostgreSQL's
        jsonb does not keep the order the keys were written in)."""
        order = list(self.TIMING_LABELS)
        stages = sorted((self.timings or {}).items(), key=lambda item: (order.index(item[0]) if item[0] in order
                                                                          else len(order), item[0]))
        return [(self.TIMING_LABELS.get(stage, stage), seconds) for stage, seconds in stages]

    @property
    def stage_detail(self) -> str:
        """What the status line adds in brackets: the stage while a run is under way (with the pieces rendered of
        all, while they render), the stage that failed for a failed run, nothing once done (「完了」 says it all)."""
        if self.is_active and self.stage == self.Stage.RENDER and self.pieces_total:
            return f"{self.get_stage_display()}中：{self.pieces_done}/{self.pieces_total}"
        if self.status == self.Status.SUCCEEDED:
            return ""
        return self.get_stage_display()
