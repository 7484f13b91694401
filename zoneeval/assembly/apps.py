from django.apps import AppConfig


class AssemblyConfig(AppConfig):
    name = "zoneeval.assembly"
    verbose_name = "取りまとめ・検証・PDF"

    def ready(self):
        from ..workflow.events import signed_by_all
        from .services import dispatch_final_render

        signed_by_all.connect(dispatch_final_render, dispatch_uid="assembly-final-render")
