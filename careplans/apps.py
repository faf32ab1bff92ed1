from django.apps import AppConfig


class CareplansConfig(AppConfig):
    name = "careplans"

    def ready(self):
        from careplans import panel_extensions

        panel_extensions.register()
