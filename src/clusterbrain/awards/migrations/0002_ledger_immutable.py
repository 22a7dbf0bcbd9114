"""Ledger entries cannot be changed, even by raw SQL: a trigger refuses an UPDATE that touches
what an entry says (its program, application, kind, accounts, amount, original, tranche, time).
Only `created_by` may change (Django sets it to NULL when a user account is deleted). DELETE is
left alone so a cluster's cascade can remove its programs' entries; the model refuses it."""

from django.db import migrations

COLUMNS = (
    "program_id",
    "application_id",
    "kind",
    "debit",
    "credit",
    "amount",
    "reverses_id",
    "tranche",
    "created_at",
)
MESSAGE = "awards_ledgerentry is append-only: post a reversal entry instead"


def create_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in COLUMNS)
        schema_editor.execute(
            "CREATE TRIGGER awards_ledgerentry_immutable BEFORE UPDATE ON awards_ledgerentry "
            f"FOR EACH ROW WHEN {changed} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
        )
    elif vendor == "postgresql":
        changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in COLUMNS)
        schema_editor.execute(
            "CREATE OR REPLACE FUNCTION awards_ledgerentry_immutable() RETURNS trigger AS $$ "
            f"BEGIN IF {changed} THEN RAISE EXCEPTION '{MESSAGE}'; END IF; RETURN NEW; END; "
            "$$ LANGUAGE plpgsql;"
        )
        schema_editor.execute(
            "CREATE TRIGGER awards_ledgerentry_immutable BEFORE UPDATE ON awards_ledgerentry "
            "FOR EACH ROW EXECUTE FUNCTION awards_ledgerentry_immutable();"
        )


def drop_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor in ("sqlite", "postgresql"):
        schema_editor.execute("DROP TRIGGER IF EXISTS awards_ledgerentry_immutable"
                              + (" ON awards_ledgerentry" if vendor == "postgresql" else ""))
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS awards_ledgerentry_immutable()")


class Migration(migrations.Migration):
    dependencies = [("awards", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
