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
        register_navigation_item(
            NavigationItem(
                text="Contact details",
                url_name="your_icb_contact_details",
                permission="phb.manage_icb_contact_details",
                order=40,
            )
        )
