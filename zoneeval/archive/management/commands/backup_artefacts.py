from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ...backup import backup_artefacts


class Command(BaseCommand):
    help = ("Copy every artefact's file from the artefact store (a folder or S3, through the storage API) into "
            "DIR/<relative_path> and write DIR/manifest.json (relative_path, size, sha256). Fails, naming each file, "
            "when a stored file is missing or its SHA-256 differs from the database's (README: Backup and restore).")

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, type=Path, help="the folder to copy into (created if missing)")

    def handle(self, *args, out, **options):
        outcome = backup_artefacts(out)
        for problem in outcome.problems:
            self.stdout.write(problem)
        counts = outcome.counts
        self.stdout.write(f"バックアップ：成果物 {counts.get('copied', 0)}/{counts.get('artefacts', 0)} 件、"
                          f"{counts.get('bytes', 0):,} バイトを {out} にコピーしました。問題 {len(outcome.problems)} 件。")
        if not outcome.ok:
            raise CommandError(f"バックアップは完了していません：問題 {len(outcome.problems)} 件（上の各行）。")
