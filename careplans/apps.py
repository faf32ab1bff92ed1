from django.apps import AppConfig


class CareplansConfig(AppConfig):
    name = "careplans"

    def ready(self):
        from careplans.demo_panels import seed_panels
        from phb.extensions import register_demo_seeder

        register_demo_seeder(seed_panels)
