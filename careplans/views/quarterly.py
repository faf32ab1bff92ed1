"""The ICB's quarterly figures for its return to NHS England, on a page and as CSV."""

import csv
import io

from django.http import HttpResponse
from django.utils import timezone
from django.views.generic import TemplateView

from careplans.forms_reviews import QuarterForm
from careplans.models import StopReason
from careplans.selectors_quarterly import (
    GROUP_NAMES,
    HOLDING_NAMES,
    HOLDINGS,
    quarterly_figures,
    quarters_offered,
)
from phb.permissions import Permission
from phb.views.mixins import PermissionRequiredMixin


def _number(value: int, **more) -> dict:
    return {"text": f"{value:,}", "format": "numeric", **more}


def in_place_table(figures) -> dict:
    """People with a budget in place: a row for each group, a column for each way of holding
    the money, and the totals."""
    rows = []
    for group, name in GROUP_NAMES.items():
        counts = [figures.in_place.get((group, holding), 0) for holding in HOLDINGS]
        rows.append([{"text": name}, *(_number(n) for n in counts), _number(sum(counts))])
    totals = [
        sum(figures.in_place.get((group, holding), 0) for group in GROUP_NAMES)
        for holding in HOLDINGS
    ]
    rows.append([{"text": "All groups"}, *(_number(n) for n in totals), _number(sum(totals))])
    return {
        "caption": f"People with a personal health budget in place on {figures.as_at:%-d %B %Y}",
        "responsive": True,
        "firstCellIsHeader": True,
        "head": [
            {"text": "Group"},
            *({"text": HOLDING_NAMES[holding], "format": "numeric"} for holding in HOLDINGS),
            {"text": "Total", "format": "numeric"},
        ],
        "rows": rows,
    }


def _by(caption: str, heading: str, names: dict, counts: dict) -> dict:
    rows = [[{"text": name}, _number(counts.get(key, 0))] for key, name in names.items()]
    rows.append([{"text": "Total"}, _number(sum(counts.values()))])
    return {
        "caption": caption,
        "responsive": True,
        "firstCellIsHeader": True,
        "head": [{"text": heading}, {"text": "Number", "format": "numeric"}],
        "rows": rows,
    }


def new_table(figures) -> dict:
    return _by(
        "People whose first personal health budget started in the quarter",
        "Group",
        GROUP_NAMES,
        figures.new,
    )


def held_table(figures) -> dict:
    return _by(
        "People who had a personal health budget at any time in the quarter",
        "Group",
        GROUP_NAMES,
        figures.held,
    )


def stopped_table(figures) -> dict:
    return _by(
        "Budgets stopped in the quarter",
        "Reason",
        dict(StopReason.choices),
        figures.stopped,
    )


def figures_csv(organisation, figures) -> str:
    """The same figures, a row each: what is counted, the group or reason, how the money is
    held (for budgets in place) and the number."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["ICB", "Quarter", "Counted on", "Figure", "Group or reason", "Held", "Number"])
    first = [organisation.ods_code, figures.quarter.name, figures.as_at.isoformat()]
    for group, group_name in GROUP_NAMES.items():
        for holding in HOLDINGS:
            count = figures.in_place.get((group, holding), 0)
            held = HOLDING_NAMES[holding]
            writer.writerow([*first, "People with a budget in place", group_name, held, count])
    for group, group_name in GROUP_NAMES.items():
        count = figures.new.get(group, 0)
        writer.writerow([*first, "People new to a budget", group_name, "", count])
    for group, group_name in GROUP_NAMES.items():
        count = figures.held.get(group, 0)
        writer.writerow([*first, "People with a budget during the quarter", group_name, "", count])
    for reason, reason_name in StopReason.choices:
        count = figures.stopped.get(reason, 0)
        writer.writerow([*first, "Budgets stopped", reason_name, "", count])
    return out.getvalue()


class QuarterlyFiguresView(PermissionRequiredMixin, TemplateView):
    """The counts an ICB reports to NHS England each quarter, for a quarter the user chooses
    (the last one that has ended, unless they choose another)."""

    permission = Permission.VIEW_QUARTERLY_FIGURES
    object_required = True
    template_name = "careplans/quarterly.html"

    def get_permission_object(self):
        return self.request.user.acting_organisation

    def get(self, request, *args, **kwargs):
        today = timezone.localdate()
        quarters = quarters_offered(today)
        if "quarter" in request.GET:
            form = QuarterForm(request.GET, quarters=quarters)
            quarter = form.cleaned_data["quarter"] if form.is_valid() else None
        else:
            quarter = quarters[1]
            form = QuarterForm(initial={"quarter": quarter.key}, quarters=quarters)
        organisation = self.object
        figures = quarterly_figures(organisation, quarter, today) if quarter else None
        if figures is not None and request.GET.get("download") == "csv":
            response = HttpResponse(
                figures_csv(organisation, figures), content_type="text/csv; charset=utf-8"
            )
            name = f"phb-figures-{organisation.ods_code}-{quarter.key}".lower()
            response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
            return response
        context = {"form": form, "figures": figures}
        if figures is not None:
            context |= {
                "in_place": in_place_table(figures),
                "new": new_table(figures),
                "held": held_table(figures),
                "stopped": stopped_table(figures),
            }
        return self.render_to_response(self.get_context_data(**context))
