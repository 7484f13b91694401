from django.apps import AppConfig


class DraftingConfig(AppConfig):
    name = "zoneeval.drafting"
    verbose_name = "起草"

    def ready(self):
        from ..reports.signals import edition_loaded
        from .services import ensure_parts

        edition_loaded.connect(lambda sender, edition, **kwargs: ensure_parts(edition), weak=False,
                               dispatch_uid="drafting-parts-of-a-loaded-edition")
