"""Tuning of the audit and trigger functions that django-pghistory and django-pgtrigger install.

Both libraries read a session setting in a PL/pgSQL block with an `EXCEPTION WHEN OTHERS`
clause (django-pghistory 3.9 and django-pgtrigger 4.17, the current releases):
`pghistory.context_id` for every audited row, `pgtrigger.ignore` for every trigger that
fires. A block with an exception clause opens a subtransaction each time it runs, so a
transaction that writes many rows opens thousands of them, and PostgreSQL slows down once a
transaction holds more than 64 (ADR 0021). `current_setting(name, true)` returns NULL for a
missing setting instead of raising, so the same functions need no exception block. After
every `migrate` (when the libraries install theirs again) we replace both with equivalents
that have none.
"""

from django.db import connections
from pgtrigger.core import _ignore_func_name

# Same behaviour as the libraries' own: a missing or empty setting means "nothing to ignore" or
# "no context"; an empty string is what a setting reads as after a SET LOCAL has ended.
_SHOULD_IGNORE = """
CREATE OR REPLACE FUNCTION {name}(trigger_name NAME)
RETURNS BOOLEAN AS $$
    DECLARE
        _pgtrigger_ignore TEXT[];
    BEGIN
        _pgtrigger_ignore := NULLIF(current_setting('pgtrigger.ignore', true), '')::TEXT[];
        IF _pgtrigger_ignore IS NOT NULL THEN
            RETURN trigger_name = ANY(_pgtrigger_ignore);
        END IF;
        RETURN FALSE;
    END;
$$ LANGUAGE plpgsql;
"""

_ATTACH_CONTEXT = """
CREATE OR REPLACE FUNCTION _pgh_attach_context()
RETURNS pghistory_context.id%TYPE AS $$
    DECLARE
        _pgh_context_id UUID;
        _pgh_context_metadata JSONB;
    BEGIN
        _pgh_context_id := NULLIF(current_setting('pghistory.context_id', true), '')::UUID;
        _pgh_context_metadata := NULLIF(
            current_setting('pghistory.context_metadata', true), ''
        )::JSONB;
        IF _pgh_context_id IS NOT NULL AND _pgh_context_metadata IS NOT NULL THEN
            -- Usually the context is already there, as it is: a lookup is enough. An upsert
            -- would lock the row (a write) for every audited row of a bulk write.
            PERFORM 1 FROM pghistory_context
                WHERE id = _pgh_context_id AND metadata = _pgh_context_metadata;
            IF FOUND THEN
                RETURN _pgh_context_id;
            END IF;
            INSERT INTO pghistory_context (id, metadata, created_at, updated_at)
                VALUES (_pgh_context_id, _pgh_context_metadata, NOW(), NOW())
                ON CONFLICT (id) DO UPDATE
                    SET metadata = EXCLUDED.metadata,
                        updated_at = EXCLUDED.updated_at
                    WHERE pghistory_context.metadata != EXCLUDED.metadata;
            RETURN _pgh_context_id;
        END IF;
        RETURN NULL;
    END;
$$ LANGUAGE plpgsql;
"""


def install_trigger_functions(using="default", **kwargs) -> None:
    """post_migrate: put our versions in place after the libraries have installed theirs."""
    connection = connections[using]
    if not connection.vendor.startswith("postgres"):  # pragma: no cover - PostgreSQL only
        return
    with connection.cursor() as cursor:
        cursor.execute(_SHOULD_IGNORE.format(name=_ignore_func_name()))
        cursor.execute(_ATTACH_CONTEXT)


def check_constraints_immediately(using="default") -> None:
    """Check every deferrable constraint of the current transaction as each statement ends.

    Django makes foreign keys DEFERRABLE INITIALLY DEFERRED, so a transaction that writes many
    rows queues a check per row until it commits, and the audit triggers slow down as the queue
    grows (issue 12: 5,000 people took 103 s deferred, 15 s immediate). Bulk writes call this
    first, and write in chunks of their own transactions (ADR 0027)."""
    with connections[using].cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
