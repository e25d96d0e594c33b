"""Citations say where the fact stands and what it states; a read date needs both.

Outside the seed document, a citation's `accessed_on` / `last_verified_on`
that no locator and statement stand behind claimed a reading that cannot be
shown: those dates are emptied before the rule is added (issue 30). They
cannot come back when the migration is reversed, so it is not reversible.
"""

from django.db import migrations, models


def forget_unsupported_reads(apps, schema_editor):
    Citation = apps.get_model("core", "Citation")
    unsupported = Citation.objects.exclude(provenance="seed").filter(
        models.Q(locator="") | models.Q(states="")
    )
    unsupported.update(accessed_on=None, last_verified_on=None)


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_citation'),
    ]

    operations = [
        migrations.AddField(
            model_name='citation',
            name='locator',
            field=models.CharField(blank=True, help_text='Where in the source the fact stands: article, section, paragraph, page.', max_length=300),
        ),
        migrations.AddField(
            model_name='citation',
            name='states',
            field=models.TextField(blank=True, help_text="What the source was read to state, in the editor's own words (never a copy of its sentences)."),
        ),
        migrations.AlterField(
            model_name='citation',
            name='accessed_on',
            field=models.DateField(blank=True, help_text='When the source was read; empty if it was not.', null=True),
        ),
        migrations.AlterField(
            model_name='citation',
            name='last_verified_on',
            field=models.DateField(blank=True, help_text='When someone last checked the source still says it; empty if never.', null=True),
        ),
        migrations.RunPython(forget_unsupported_reads, reverse_code=None),
        migrations.AddConstraint(
            model_name='citation',
            constraint=models.CheckConstraint(condition=models.Q(('provenance', 'seed'), models.Q(('accessed_on__isnull', True), ('last_verified_on__isnull', True)), models.Q(models.Q(('locator', ''), _negated=True), models.Q(('states', ''), _negated=True)), _connector='OR'), name='citation_read_date_needs_locator_and_statement', violation_error_message='A citation outside the seed document that gives a read or check date needs a locator and a statement.'),
        ),
    ]
