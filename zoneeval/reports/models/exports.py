"""A stored export of an edition: the JSON exactly as written and its SHA-256."""
from django.db import models


class ExportRecord(models.Model):
    edition = models.ForeignKey("reports.Edition", on_delete=models.CASCADE, related_name="export_records")
    sha256 = models.CharField(max_length=64)
    payload = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
