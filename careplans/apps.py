from django.apps import AppConfig


class CareplansConfig(AppConfig):
    name = "careplans"

    def ready(self):
        from careplans import extensions_reviews

        extensions_reviews.register()
