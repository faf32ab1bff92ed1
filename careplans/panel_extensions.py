"""What the approval panels add to the core: header links and demo data."""

from careplans.demo_panels import seed_panels
from phb.extensions import NavigationItem, register_demo_seeder, register_navigation_item
from phb.permissions import Permission


def register() -> None:
    # Every member of the ICB's staff may see its panels (the list's own permission).
    register_navigation_item(
        NavigationItem(
            text="Panels",
            url_name="careplans:panel_sessions",
            permission=Permission.VIEW_PLAN,
            order=15,
        )
    )
    register_navigation_item(
        NavigationItem(
            text="Approval policy",
            url_name="careplans:approval_policy",
            permission=Permission.EDIT_APPROVAL_POLICY,
            order=45,
        )
    )
    register_demo_seeder(seed_panels)
