from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from ....authorities.models import Authority
from ....authorities.rules import Refused
from ...workbook import services
from ...workbook.selectors import edition_for_command


class Command(BaseCommand):
    help = ("Import one co-author's figures from a filled-in workbook, as USER (the same rules, validation and "
            "revisions as the web): prints what changes (old → new per cell) and the cells ignored, then applies "
            "it, all or nothing. --dry-run only prints.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx file")
        parser.add_argument("--zone", required=True)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--authority", required=True, help="slug of the co-author whose cells are imported")
        parser.add_argument("--user", required=True, help="the user name the changes are made as")
        parser.add_argument("--dry-run", action="store_true", help="show the changes, change nothing")

    def handle(self, *args, **options):
        edition = edition_for_command(options["zone"], options["year"])
        if edition is None:
            raise CommandError(f"評価書がありません: zone={options['zone']} year={options['year']}")
        authority = Authority.objects.filter(slug=options["authority"]).first()
        user = get_user_model().objects.filter(username=options["user"]).first()
        if authority is None or user is None:
            raise CommandError("自治体またはユーザーが見つかりません。")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"ファイルがありません: {path}")
        data = path.read_bytes()
        try:
            if options["dry_run"]:
                _, reading = services.read_upload(user, edition, authority, data)
                self._show(reading)
                self.stdout.write("（--dry-run：何も変更していません）")
                return
            pending, reading = services.preview_upload(user, edition, authority, data, path.name)
            self._show(reading)
            try:
                changes = services.confirm_upload(user, pending)
            finally:
                services.discard_upload(user, pending)  # kept only as long as needed
        except services.WorkbookRefused as refused:
            raise CommandError("取り込めませんでした（何も変更していません）：\n" + "\n".join(refused.messages))
        except (Refused, services.StalePreview) as refused:
            raise CommandError(f"取り込めませんでした（何も変更していません）：{refused}")
        self.stdout.write(f"{authority.name}の数値を{len(changes)}件取り込みました。")

    def _show(self, reading):
        for c in reading.changes:
            since = f"（ダウンロード後に変更あり。ダウンロード時 {c.base_text}）" if c.changed_since_download else ""
            self.stdout.write(f"変更 シート『{c.sheet}』{c.ref} {c.label}：{c.old_text} → {c.new_text}{since}")
        if reading.newer:
            self.stdout.write(f"ダウンロード後に評価書で更新され、ファイルでは変更していない欄 {len(reading.newer)}件は評価書の値のままです。")
        for c in reading.ignored:
            owner = reading.owners.get((c.sheet, c.ref), "")
            self.stdout.write(f"取り込まない（{owner}の欄） シート『{c.sheet}』{c.ref} {c.label}："
                              f"評価書 {c.old_text}／ファイル {c.new_text}")
