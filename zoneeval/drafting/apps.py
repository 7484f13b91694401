from django.apps import AppConfig


class DraftingConfig(AppConfig):
    name = "zoneeval.drafting"
    verbose_name = "起草"
