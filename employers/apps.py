from django.apps import AppConfig


class EmployersConfig(AppConfig):
    name = "employers"

    def ready(self):
        from employers import extensions

        extensions.register()
