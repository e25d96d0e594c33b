# The audit trail moves from apps.cases to apps.record without copying a row: the
# table is renamed (its rows, ids, sequence, indexes and constraints stay), the
# model's state moves, and the content type keeps its id (and so every permission
# granted on it) under the new app label. cases 0006 then drops the old state.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

RENAME = """
ALTER TABLE cases_appliedchange RENAME TO record_appliedchange;
ALTER SEQUENCE IF EXISTS cases_appliedchange_id_seq RENAME TO record_appliedchange_id_seq;
"""
RENAME_BACK = """
ALTER TABLE record_appliedchange RENAME TO cases_appliedchange;
ALTER SEQUENCE IF EXISTS record_appliedchange_id_seq RENAME TO cases_appliedchange_id_seq;
"""


def relabel(from_label, to_label):
    def run(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        taken = ContentType.objects.filter(app_label=to_label, model="appliedchange")
        if taken.exists():
            # A post_migrate before this migration made an empty one: the old one,
            # holding the permissions, wins.
            taken.delete()
        ContentType.objects.filter(app_label=from_label, model="appliedchange").update(
            app_label=to_label
        )

    return run


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('cases', '0005_case_public_reason'),
        # The digest entries' foreign key to the old table is made first, so that
        # a new database renames a table every reference already points at.
        ('portal', '0001_watchlists'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(RENAME, RENAME_BACK)],
            state_operations=[
                migrations.CreateModel(
                    name='AppliedChange',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('target', models.CharField(choices=[('jurisdiction', 'jurisdiction'), ('instrument', 'instrument'), ('obligation', 'obligation'), ('amendment', 'amendment')], max_length=16)),
                        ('action', models.CharField(choices=[('create', 'create'), ('update', 'update'), ('retire', 'retire')], max_length=8)),
                        ('row_id', models.BigIntegerField()),
                        ('version', models.PositiveIntegerField(blank=True, help_text="The row's version after this change.", null=True)),
                        ('before', models.JSONField(blank=True, null=True)),
                        ('after', models.JSONField(blank=True, null=True)),
                        ('origin', models.CharField(choices=[('case', 'approved in a case'), ('direct', 'direct edit by an administrator'), ('seed', 'seed load'), ('system', 'derived by the system')], default='case', max_length=8)),
                        ('reason', models.CharField(blank=True, help_text='Why, when no case says it: the seed, a derivation.', max_length=500)),
                        ('applied_at', models.DateTimeField(auto_now_add=True)),
                        ('approver', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('case', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='applied', to='cases.case')),
                        ('proposer', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'ordering': ['-id'],
                        'indexes': [models.Index(fields=['target', 'row_id', '-id'], name='applied_row_idx'), models.Index(fields=['case', 'id'], name='applied_case_idx')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('target__in', ['jurisdiction', 'instrument', 'obligation', 'amendment'])), name='applied_target_valid', violation_error_message='target: unknown value; use one of jurisdiction, instrument, obligation, amendment.'), models.CheckConstraint(condition=models.Q(('action__in', ['create', 'update', 'retire'])), name='applied_action_valid', violation_error_message='action: unknown value; use one of create, update, retire.'), models.CheckConstraint(condition=models.Q(('origin__in', ['case', 'direct', 'seed', 'system'])), name='applied_origin_valid', violation_error_message='origin: unknown value; use one of case, direct, seed, system.'), models.CheckConstraint(condition=models.Q(models.Q(('origin', 'case'), _negated=True), ('case__isnull', False), _connector='OR'), name='applied_case_origin_has_case', violation_error_message='A change approved in a case names its case.')],
                    },
                ),
            ],
        ),
        migrations.RunPython(relabel("cases", "record"), relabel("record", "cases")),
    ]
