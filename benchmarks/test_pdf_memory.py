"""A PDF worker's memory over 200 renders (issue 9: it stays flat).

Renders a decision letter 200 times in this process, as one worker process would between its
replacements (`worker_max_tasks_per_child` is 50, so this is four times longer than any worker
process lives), and reports the resident memory after 20 (warm: fonts unpacked, caches full)
and after 200. `make benchmark` runs it; `make test` does not collect it.
"""

import pytest

from careplans.models import PlanLetter
from phb.documents.models import GeneratedDocument
from phb.documents.rendering import html_to_pdf
from phb.documents.services import render_html
from phb.documents.sources import source_for
from tests.careplans.review_factories import plan_in_use

pytestmark = pytest.mark.django_db

RENDERS = 200


def resident_kib() -> int:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1])


def test_memory_stays_flat_over_200_renders(phb_lead, holder):
    plan_in_use(phb_lead, holder)
    letter = PlanLetter.objects.get()
    source = source_for("plan_letter")
    html = render_html(source, letter, GeneratedDocument(requested_by=phb_lead))
    sizes = []
    for number in range(1, RENDERS + 1):
        html_to_pdf(html)
        if number in (20, RENDERS):
            sizes.append(resident_kib())
    warm, last = sizes
    print(
        f"\nResident memory after 20 renders: {warm / 1024:.1f} MiB; after {RENDERS}: "
        f"{last / 1024:.1f} MiB ({(last - warm) / 1024:+.1f} MiB)"
    )
    # Flat: less than 10% growth after warming up.
    assert last < warm * 1.1
