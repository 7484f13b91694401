from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ...interchange.importer import ImportRefused, import_json


class Command(BaseCommand):
    help = "Import an edition from an interchange JSON file. The file is refused whole on any error."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--replace", action="store_true", help="replace the edition if it exists")

    def handle(self, path: Path, replace: bool, **options):
        try:
            data = path.read_bytes()
        except FileNotFoundError as exc:
            raise CommandError(f"{path}: ファイルがありません (file not found)") from exc
        try:
            edition = import_json(data, replace=replace)
        except ImportRefused as refused:
            lines = [f"{path}: 取り込みを中止しました。何も変更していません (refused; nothing was imported):"]
            lines += [f"  {p}" for p in refused.problems]
            raise CommandError("\n".join(lines)) from refused
        self.stdout.write(self.style.SUCCESS(f"Imported {edition.zone.slug} {edition.fiscal_year} (edition #{edition.pk})"))
