from django.core.management.base import BaseCommand, CommandError

from ....reports.selectors import get_edition
from ...services import DEMO_PASSWORD, create_demo_users


class Command(BaseCommand):
    help = "Create demo users for every co-author of an edition (password 'zoneeval-demo', demo only)."

    def add_arguments(self, parser):
        parser.add_argument("--zone", default="keihin")
        parser.add_argument("--year", type=int, default=2019)

    def handle(self, *args, zone, year, **options):
        edition = get_edition(zone, year)
        if edition is None:
            raise CommandError(f"評価書がありません: zone={zone} year={year}; import it first")
        authorities = [c.authority for c in edition.coauthors.select_related("authority")]
        users = create_demo_users(authorities, edition.coordinator)
        self.stdout.write("Demo users (DEMO ONLY — password '%s'):" % DEMO_PASSWORD)
        for user in users:
            m = user.memberships.select_related("authority").first()
            self.stdout.write(f"  {user.username:24} {m.get_role_display()} {m.authority or ''}")
