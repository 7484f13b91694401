from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from ....reports.selectors import current_edition
from ...services import TransitionRefused, correct_edition


class Command(BaseCommand):
    help = ("Create a correction (訂正版) of the current, submitted edition of a zone's year: a new edition of the same "
            "year that supersedes it, copied through the interchange format, every part in draft. --by names the "
            "coordinator who makes it (the same rules as the button).")

    def add_arguments(self, parser):
        parser.add_argument("--zone", required=True)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--by", required=True, help="username of a coordinator of the coordinating authority")
        parser.add_argument("--reason", required=True, help="why the submitted edition is corrected (audit log)")

    def handle(self, *args, zone, year, by, reason, **options):
        edition = current_edition(zone, year)
        if edition is None:
            raise CommandError(f"評価書がありません: zone={zone} year={year}")
        user = get_user_model().objects.filter(username=by).first()
        if user is None:
            raise CommandError(f"ユーザーがいません: {by}")
        try:
            correction = correct_edition(user, edition, reason)
        except TransitionRefused as refused:
            raise CommandError(str(refused.args[0] if refused.args else refused)) from refused
        self.stdout.write(f"{correction}: {correction.revision_label} (revision {correction.revision}) supersedes "
                          f"{edition.revision_label} (edition {edition.pk}); {correction.parts.count()} parts in draft")
