from django.db import migrations

from phb.today import DROP, REAL_TODAY


class Migration(migrations.Migration):
    """phb_today(): the service's today (Europe/London) for the database's date checks."""

    dependencies = [("phb", "0009_record_access_log_index")]

    operations = [migrations.RunSQL(REAL_TODAY, DROP)]
