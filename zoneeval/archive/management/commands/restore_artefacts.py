from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ...backup import ManifestRefused, restore_artefacts


class Command(BaseCommand):
    help = ("Put the files of a backup_artefacts folder (DIR/manifest.json) back into the configured artefact store "
            "through the storage API, each checked against the manifest before it is written and after.")

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="folder", required=True, type=Path, help="a backup_artefacts folder")
        parser.add_argument("--overwrite", action="store_true",
                            help="replace a stored file of the same name whose content differs")

    def handle(self, *args, folder, overwrite, **options):
        try:
            outcome = restore_artefacts(folder, overwrite=overwrite)
        except ManifestRefused as refused:
            raise CommandError(str(refused)) from refused
        for problem in outcome.problems:
            self.stdout.write(problem)
        counts = outcome.counts
        self.stdout.write(f"復元：manifest {counts.get('listed', 0)} 件のうち {counts.get('restored', 0)} 件"
                          f"（{counts.get('bytes', 0):,} バイト）を保存し、{counts.get('already', 0)} 件は保存済みでした"
                          f"（置換え {counts.get('replaced', 0)} 件）。問題 {len(outcome.problems)} 件。")
        if not outcome.ok:
            raise CommandError(f"復元は完了していません：問題 {len(outcome.problems)} 件（上の各行）。")
