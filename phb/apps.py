from django.apps import AppConfig


class PhbConfig(AppConfig):
    name = "phb"
    verbose_name = "Personal health budgets: core"

    def ready(self):
        from phb.extensions import NavigationItem, register_navigation_item
        from phb.permissions import Permission

        for item in (
            NavigationItem("Caseload", "caseload", Permission.VIEW_CASELOAD, order=0),
            NavigationItem(
                "Contact details",
                "icb_contact_details",
                Permission.CHANGE_ICB_CONTACT_DETAILS,
                order=40,
            ),
            NavigationItem("Staff", "staff_list", Permission.MANAGE_STAFF, order=80),
            NavigationItem("ICBs", "service_home", Permission.MANAGE_ICBS, order=90),
        ):
            register_navigation_item(item)
