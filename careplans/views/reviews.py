"""Reviews: what is due and overdue across the caseload, recording a review, and bringing
one forward."""

from django.core.paginator import Paginator
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from careplans import selectors_reviews as selectors
from careplans.forms_reviews import BringForwardForm, ReviewForm
from careplans.models import PlanStatus, ReviewStatus
from careplans.services import reviews as services
from careplans.views.service_forms import ServiceFormView
from phb import selectors as core_selectors
from phb.components import render_component
from phb.permissions import Permission
from phb.presenters import hidden_caption
from phb.views.mixins import PermissionRequiredMixin

PAGE_SIZE = 25


def when_due(review, today) -> dict:
    """A tag saying whether the review is overdue or how soon it is due."""
    days = (review.due_on - today).days
    if days < 0:
        return {
            "text": f"Overdue by {-days} day{'s' if days != -1 else ''}",
            "classes": "nhsuk-tag--red",
        }
    if days == 0:
        return {"text": "Due today", "classes": "nhsuk-tag--orange"}
    return {"text": f"Due in {days} day{'s' if days != 1 else ''}", "classes": "nhsuk-tag--grey"}


def reviews_table(reviews, today) -> dict:
    return {
        "caption": hidden_caption("Reviews due"),
        "head": [
            {"text": "Person"},
            {"text": "NHS number"},
            {"text": "Review"},
            {"text": "Due by"},
            {"text": "When"},
        ],
        "rows": [
            [
                {
                    "text": review.plan.budget_holder.full_name,
                    "href": reverse("careplans:review_record", args=[review.pk]),
                },
                {"text": review.plan.budget_holder.formatted_nhs_number},
                {"text": review.get_kind_display()},
                {"text": f"{review.due_on:%-d %B %Y}"},
                {"html": render_component("tag", when_due(review, today))},
            ]
            for review in reviews
        ],
    }


class ReviewsDueView(PermissionRequiredMixin, TemplateView):
    """Every review due across the ICB's caseload, soonest (most overdue) first."""

    permission = Permission.MANAGE_REVIEWS
    object_required = True
    template_name = "careplans/reviews/due.html"

    def get_permission_object(self):
        return self.request.user.acting_organisation

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        overdue_only = self.request.GET.get("show") == "overdue"
        due = selectors.reviews_due(self.object, before=today if overdue_only else None)
        page = Paginator(due, PAGE_SIZE).get_page(self.request.GET.get("page"))
        return super().get_context_data(**kwargs) | {
            "page": page,
            "table": reviews_table(page.object_list, today),
            "overdue_only": overdue_only,
            "show": "overdue" if overdue_only else "",
        }


class RecordReviewView(ServiceFormView):
    permission = Permission.MANAGE_REVIEWS
    access_log = "review"
    form_class = ReviewForm
    template_name = "careplans/reviews/record.html"
    done = "The review has been recorded"

    def get_permission_object(self):
        return selectors.review_for(self.request.user, self.kwargs["pk"])

    def person_id_for_log(self, obj):
        if obj is not None:
            return obj.plan.budget_holder_id
        return selectors.holder_id_of_review(self.kwargs["pk"]) or self.kwargs["pk"]

    @property
    def holder(self):
        return self.object.plan.budget_holder

    def version(self):
        return self.object.plan.versions.filter(status=PlanStatus.ACTIVE).first()

    def refuse(self):
        if self.object.status != ReviewStatus.DUE:
            return f"This review was already {self.object.get_status_display().lower()}"
        if self.version() is None:
            return "This person has no plan in use to review"
        return None

    def done_url(self):
        return reverse("careplans:reviews_due")

    def form_kwargs(self):
        return {
            "reviewers": services.reviewers_for(self.holder.organisation),
            "goals": self.version().goals.all(),
        }

    def save(self, form):
        data = form.cleaned_data
        reviewer = services.reviewers_for(self.holder.organisation).get(pk=data["reviewer"])
        services.record_review(
            actor=self.request.user,
            review=self.object,
            reviewer=reviewer,
            findings=services.Findings(
                completed_on=data["completed_on"],
                plan_still_right=data["plan_still_right"],
                money_used_well=data["money_used_well"],
                amount_enough=data["amount_enough"],
                conditions_kept=data["conditions_kept"],
                risk_level=data["risk_level"],
                changes_needed=data["changes_needed"],
                notes=data["notes"],
                next_due_on=data["next_due_on"],
            ),
            progress=form.progress(),
            start_new_version=data["start_new_version"],
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "review": self.object,
            "page_title": "Record the review",
            "button_text": "Record the review",
        }


class BringForwardView(ServiceFormView):
    permission = Permission.MANAGE_REVIEWS
    access_log = "record"
    form_class = BringForwardForm
    done = "The review has been brought forward"

    def get_permission_object(self):
        return core_selectors.person_for(self.request.user, self.kwargs["pk"])

    @property
    def holder(self):
        return self.object

    def plan(self):
        plan = selectors.plan_of(self.holder)
        if plan is None:
            raise Http404("No plan")
        return plan

    def done_url(self):
        return reverse("person_detail", args=[self.holder.pk])

    def refuse(self):
        if not self.plan().versions.filter(status=PlanStatus.ACTIVE).exists():
            return services.NO_PLAN_TO_REVIEW
        return None

    def save(self, form):
        services.bring_forward(
            actor=self.request.user,
            plan=self.plan(),
            due_on=form.cleaned_data["due_on"],
            reason=form.cleaned_data["reason"],
        )

    def get_context_data(self, **kwargs):
        plan = self.plan()
        review = services.due_review(plan)
        if review is not None and review.due_on < timezone.localdate():
            intro = f"The next review was due by {review.due_on:%-d %B %Y}: it is overdue."
        elif review is not None:
            intro = f"The next review is due by {review.due_on:%-d %B %Y}."
        else:
            today = timezone.localdate()
            by_rules, _ = services.review_by_the_rules(
                plan, services.policy_for(self.holder.organisation), today
            )
            intro = (
                f"No review is due yet. Without one brought forward, the next would be due by "
                f"{max(by_rules, today):%-d %B %Y}."
            )
        return super().get_context_data(**kwargs) | {
            "page_title": "Bring the next review forward",
            "button_text": "Bring it forward",
            "intro": intro,
        }
