from django.apps import AppConfig


class CareplansConfig(AppConfig):
    name = "careplans"

    def ready(self):
        from careplans import (
            dataset,
            extensions_access,
            extensions_reviews,
            panel_extensions,
            plan_extensions,
        )

        dataset.register()
        plan_extensions.register()
        panel_extensions.register()
        extensions_reviews.register()
        extensions_access.register()
