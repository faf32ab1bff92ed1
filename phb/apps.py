from django.apps import AppConfig


class PhbConfig(AppConfig):
    name = "phb"
    verbose_name = "Personal health budgets: core"

    def ready(self):
        from django.db.models.signals import post_migrate

        from phb.database import install_trigger_functions
        from phb.documents import tasks  # noqa: F401  (the pdf queue's task, for the worker)
        from phb.extensions import NavigationItem, register_navigation_item

        # After pghistory's and pgtrigger's own post_migrate handlers (phb comes after them in
        # INSTALLED_APPS, so its handler runs last).
        post_migrate.connect(install_trigger_functions, sender=self)
        from allauth.account.signals import password_reset

        from phb.auth import email_proved_by_password_reset

        password_reset.connect(email_proved_by_password_reset, dispatch_uid="phb-email-proved")
        from phb.permissions import Permission

        for item in (
            NavigationItem("Caseload", "caseload", Permission.VIEW_CASELOAD, order=0),
            NavigationItem(
                "Contact details",
                "icb_contact_details",
                Permission.CHANGE_ICB_CONTACT_DETAILS,
                order=40,
            ),
            NavigationItem("Messages", "outbox", Permission.VIEW_OUTBOX, order=70),
            NavigationItem("Staff", "staff_list", Permission.MANAGE_STAFF, order=80),
            NavigationItem("ICBs", "service_home", Permission.MANAGE_ICBS, order=90),
        ):
            register_navigation_item(item)
