from django.core.management.base import BaseCommand, CommandError

from ....reports.era import fiscal_year_label
from ....reports.selectors import get_edition
from ...yearly import RolloverRefused, roll_over, rollover_refusal


class Command(BaseCommand):
    help = ("Make next year's edition of a zone from its submitted edition of --from-year (a draft: every part 下書き, "
            "this year's actual cells empty, 2④ quoting the national evaluation). The source is never changed.")

    def add_arguments(self, parser):
        parser.add_argument("--zone", required=True, help="zone slug")
        parser.add_argument("--from-year", type=int, required=True, help="fiscal year of the submitted edition, e.g. 2019")
        parser.add_argument("--plan-last-year", type=int,
                            help="extend the plan period to this fiscal year (a new plan period approved for the zone); "
                                 "needed when next year is past the plan's last fiscal year")

    def handle(self, *args, zone: str, from_year: int, plan_last_year: int | None, **options):
        source = get_edition(zone, from_year)
        reason = rollover_refusal(source, zone_slug=zone, from_year=from_year, plan_last_year=plan_last_year)
        if reason:
            raise CommandError(reason)
        try:
            edition = roll_over(None, source, plan_last_year=plan_last_year)
        except RolloverRefused as refused:
            raise CommandError(str(refused)) from refused
        self.stdout.write(self.style.SUCCESS(
            f"{fiscal_year_label(edition.fiscal_year)}の評価書を作成しました: {zone} {edition.fiscal_year} "
            f"(edition #{edition.pk}, from {fiscal_year_label(from_year)})"))
