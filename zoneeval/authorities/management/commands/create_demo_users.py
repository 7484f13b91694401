from django.core.management.base import BaseCommand, CommandError

from ....reports.selectors import get_edition
from ...services import DEMO_PASSWORD, create_demo_users


class Command(BaseCommand):
    help = ("Create the demo users that are missing for every co-author of an edition (password 'zoneeval-demo', "
            "demo only); existing users keep their password and roles.")

    def add_arguments(self, parser):
        parser.add_argument("--zone", default="keihin")
        parser.add_argument("--year", type=int, default=2019)

    def handle(self, *args, zone, year, **options):
        edition = get_edition(zone, year)
        if edition is None:
            raise CommandError(f"評価書がありません: zone={zone} year={year}; import it first")
        authorities = [c.authority for c in edition.coauthors.select_related("authority")]
        users = create_demo_users(authorities, edition.coordinator)
        self.stdout.write("Demo users (DEMO ONLY — password '%s' when created here):" % DEMO_PASSWORD)
        for user, created in users:
            roles = ", ".join(f"{m.get_role_display()} {m.authority or ''}".strip()
                              for m in user.memberships.select_related("authority")) or "-"
            self.stdout.write(f"  {user.username:24} {roles}{'' if created else '  (kept)'}")
