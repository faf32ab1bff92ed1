from django.apps import AppConfig


class PhbConfig(AppConfig):
    name = "phb"
    verbose_name = "Personal health budgets: core"

    def ready(self):
        from phb.extensions import NavigationItem, register_navigation_item

        register_navigation_item(
            NavigationItem(
                text="Caseload", url_name="caseload", permission="phb.view_caseload", order=0
            )
        )
