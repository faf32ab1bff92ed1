from django.apps import AppConfig


class EmployersConfig(AppConfig):
    name = "employers"

    def ready(self) -> None:
        from employers import extensions_payroll, extensions_timesheets, extensions_training

        extensions_timesheets.register()
        extensions_payroll.register()
        extensions_training.register()
