from django.db import migrations


class Migration(migrations.Migration):
    """Roles now live in role assignments; budget holders and representatives were never
    staff roles but links to people."""

    dependencies = [("phb", "0003_staff_roles_to_assignments")]

    operations = [
        migrations.RemoveConstraint(
            model_name='user',
            name='user_role_valid',
        ),
        migrations.RemoveConstraint(
            model_name='user',
            name='user_staff_have_organisation',
        ),
        migrations.RemoveField(
            model_name='user',
            name='organisation',
        ),
        migrations.RemoveField(
            model_name='user',
            name='role',
        ),
        migrations.RemoveField(
            model_name='userevent',
            name='organisation',
        ),
        migrations.RemoveField(
            model_name='userevent',
            name='role',
        ),
    ]
