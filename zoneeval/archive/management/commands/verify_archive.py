from django.core.management.base import BaseCommand, CommandError

from ...backup import verify_archive


class Command(BaseCommand):
    help = ("Check every archived file (reads only): each artefact is stored with its recorded SHA-256 and size, each "
            "submission's PDF and JSON export have the SHA-256 recorded at submission. One line per problem, then a "
            "summary line; the exit code is non-zero when there is a problem.")

    def handle(self, *args, **options):
        outcome = verify_archive()
        for problem in outcome.problems:
            self.stdout.write(problem)
        c = outcome.counts
        self.stdout.write(f"検証：成果物 {c.get('artefacts_ok', 0)}/{c.get('artefacts', 0)} 件、"
                          f"提出版PDF {c.get('pdf_ok', 0)}/{c.get('submissions', 0)} 件、"
                          f"提出版データ {c.get('json_ok', 0)}/{c.get('submissions', 0)} 件のSHA-256が一致。"
                          f"問題 {len(outcome.problems)} 件。")
        if not outcome.ok:
            raise CommandError(f"保存ファイルの検証で問題が {len(outcome.problems)} 件ありました（上の各行）。")
