"""A name search reads only its ICB's matches (issue 12).

The trigram index on the name alone found every match in England ("Watson": 1,929 people at
250,000) and then intersected them with the ICB's 20,000 people from another index: 0.9 ms.
With the ICB in the same GIN index (btree_gin gives GIN an operator class for its key), the
index finds the ICB's matches directly: 0.3 ms, and it stays so as the country grows. The new
index is built before the old one is dropped, so searches always have one.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.operations
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("phb", "0013_budget_holder_audit_after_both_new_fields"),
    ]

    operations = [
        django.contrib.postgres.operations.BtreeGinExtension(),
        migrations.AddIndex(
            model_name="budgetholder",
            index=django.contrib.postgres.indexes.GinIndex(
                models.F("organisation"),
                django.contrib.postgres.indexes.OpClass("search_name", name="gin_trgm_ops"),
                name="caseload_icb_name_trigrams",
            ),
        ),
        migrations.RemoveIndex(
            model_name="budgetholder",
            name="caseload_name_trigrams",
        ),
    ]
