from django.apps import AppConfig


class EmployersConfig(AppConfig):
    name = "employers"

    def ready(self) -> None:
        from employers import (
            extensions,
            extensions_access,
            extensions_delegation,
            extensions_payroll,
            extensions_timesheets,
            extensions_training,
        )

        extensions.register()
        extensions_timesheets.register()
        extensions_payroll.register()
        extensions_training.register()
        extensions_delegation.register()
        extensions_access.register()
