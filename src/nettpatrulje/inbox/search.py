"""Full-text search over message text, one index per database.

What is searchable is what an officer may read in the list and the API: the
redacted text (personal numbers, phone numbers and the like masked by
triage), and nothing of a message the sender removed. Text that retention has
anonymised is blank and so not found either.

PostgreSQL: a stored tsvector column on `inbox_message`, built with the text
search configuration of the message's detected language (Norwegian for nb/nn,
Finnish, Dutch, ...; `simple` where PostgreSQL has none, e.g. Icelandic), with
a GIN index. A query is parsed once per configuration and the parses are
OR-ed, so "meldingene" finds a Norwegian "melding" and an English query still
finds English messages in a Norwegian agency.

SQLite: an FTS5 table kept by triggers, prefix matching per word instead of
stemming. Django rebuilds a SQLite table (and drops its triggers) when a later
migration alters `inbox_message`; `sqlite_index_ensure` runs after every
migrate and puts them back.

Both are created outside Django's model state (RunPython in migration 0004),
so the Message model does not know the column or the table.
"""

from __future__ import annotations

import logging
import re

from django.db import DatabaseError, connection, transaction
from django.db.models import BooleanField, FloatField, Max, Min, QuerySet
from django.db.models.expressions import RawSQL

# Triage language code → PostgreSQL text search configuration.
PG_CONFIGS: dict[str, str] = {
    "nb": "norwegian",
    "nn": "norwegian",
    "fi": "finnish",
    "nl": "dutch",
    "fr": "french",
    "en": "english",
    "sv": "swedish",
    "da": "danish",
    "de": "german",
}
logger = logging.getLogger(__name__)
QUERY_CONFIGS: tuple[str, ...] = (*sorted(set(PG_CONFIGS.values())), "simple")
SQLITE_TABLE = "inbox_message_fts"
SQLITE_TRIGGERS = ("inbox_message_fts_ai", "inbox_message_fts_ad", "inbox_message_fts_au")
MAX_QUERY_CHARS = 200
SQLITE_MATCH = (
    "inbox_message.rowid IN (SELECT rowid FROM inbox_message_fts WHERE inbox_message_fts MATCH %s)"
)
# FTS5's rank is bm25: lower is better.
SQLITE_RANK = (
    "(SELECT rank FROM inbox_message_fts WHERE inbox_message_fts MATCH %s "
    "AND rowid = inbox_message.rowid)"
)
WORD = re.compile(r"\w+", re.UNICODE)


def pg_config_expression() -> str:
    whens = " ".join(f"WHEN '{code}' THEN '{cfg}'::regconfig" for code, cfg in PG_CONFIGS.items())
    return f"CASE language {whens} ELSE 'simple'::regconfig END"


def pg_install(schema_editor) -> None:
    """The stored vector is empty for a removed message, so it can never match."""
    schema_editor.execute(
        "ALTER TABLE inbox_message ADD COLUMN IF NOT EXISTS search_vector tsvector "
        "GENERATED ALWAYS AS (CASE WHEN deleted_at IS NULL THEN "
        f"to_tsvector({pg_config_expression()}, coalesce(redacted_text, '')) "
        "ELSE ''::tsvector END) STORED"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS msg_search ON inbox_message USING gin (search_vector)"
    )


def pg_contact_trigram_install(schema_editor) -> None:
    """Trigram indexes for the substring search of contact names and handles
    (Django's icontains: UPPER(col::text) LIKE UPPER('%...%')). pg_trgm ships
    with PostgreSQL, but creating an extension may need rights the
    application's role lacks: then the search still works, by scanning."""
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError:
        logger.warning("pg_trgm is not available: contact search scans the contacts")
        return
    for column in ("display_name", "platform_id"):
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS contact_{column}_trgm ON inbox_contact "
            f"USING gin (upper({column}::text) gin_trgm_ops)"
        )


def pg_contact_trigram_uninstall(schema_editor) -> None:
    for column in ("display_name", "platform_id"):
        schema_editor.execute(f"DROP INDEX IF EXISTS contact_{column}_trgm")


def pg_uninstall(schema_editor) -> None:
    schema_editor.execute("DROP INDEX IF EXISTS msg_search")
    schema_editor.execute("ALTER TABLE inbox_message DROP COLUMN IF EXISTS search_vector")


def sqlite_index_ensure(connection_=None) -> bool:
    """Create the FTS5 table and its triggers where any is missing, and fill it
    from the messages. Returns whether anything was (re)built."""
    conn = connection_ or connection
    if conn.vendor != "sqlite":
        return False
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name LIKE %s",
            [f"{SQLITE_TABLE}%"],
        )
        present = {row[0] for row in cursor.fetchall()}
        if {SQLITE_TABLE, *SQLITE_TRIGGERS} <= present:
            return False
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'inbox_message'")
        if cursor.fetchone() is None:
            return False
        for trigger in SQLITE_TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        cursor.execute(f"DROP TABLE IF EXISTS {SQLITE_TABLE}")
        cursor.execute(
            f"CREATE VIRTUAL TABLE {SQLITE_TABLE} USING fts5(body, "
            "tokenize = 'unicode61 remove_diacritics 2')"
        )
        indexed = "WHERE new.deleted_at IS NULL AND new.redacted_text != ''"
        cursor.execute(
            f"CREATE TRIGGER inbox_message_fts_ai AFTER INSERT ON inbox_message BEGIN "
            f"INSERT INTO {SQLITE_TABLE}(rowid, body) SELECT new.rowid, new.redacted_text "
            f"{indexed}; END"
        )
        cursor.execute(
            f"CREATE TRIGGER inbox_message_fts_ad AFTER DELETE ON inbox_message BEGIN "  # noqa: S608 - constants and placeholders only
            f"DELETE FROM {SQLITE_TABLE} WHERE rowid = old.rowid; END"
        )
        cursor.execute(
            f"CREATE TRIGGER inbox_message_fts_au AFTER UPDATE OF redacted_text, deleted_at "  # noqa: S608 - constants and placeholders only
            f"ON inbox_message BEGIN "
            f"DELETE FROM {SQLITE_TABLE} WHERE rowid = old.rowid; "
            f"INSERT INTO {SQLITE_TABLE}(rowid, body) SELECT new.rowid, new.redacted_text "
            f"{indexed}; END"
        )
        cursor.execute(
            f"INSERT INTO {SQLITE_TABLE}(rowid, body) SELECT rowid, redacted_text "  # noqa: S608 - constants and placeholders only
            "FROM inbox_message WHERE deleted_at IS NULL AND redacted_text != ''"
        )
    return True


def sqlite_uninstall(schema_editor) -> None:
    for trigger in SQLITE_TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    schema_editor.execute(f"DROP TABLE IF EXISTS {SQLITE_TABLE}")


def clean_query(q: str) -> str:
    # NUL cannot travel to PostgreSQL; everything else is the parsers' business.
    return q.replace("\x00", " ").strip()[:MAX_QUERY_CHARS]


def fts5_expression(q: str) -> str:
    """Each word as a quoted prefix term, AND-ed: no operator, quote, NEAR or
    column filter the user types reaches FTS5's query syntax."""
    words = WORD.findall(q)
    return " ".join('"' + w.replace('"', '""') + '"*' for w in words[:20])


def _pg_tsquery(q: str) -> str:
    """The query as each configuration parses it, duplicates dropped, OR-ed.
    Parsed apart first so that the planner sees one constant it can estimate:
    nine copies of an unknown word look nine times as common."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT websearch_to_tsquery(cfg::regconfig, %s)::text "
            "FROM unnest(%s::text[]) AS cfg",
            [q, list(QUERY_CONFIGS)],
        )
        parsed = sorted(row[0] for row in cursor.fetchall() if row[0])
    return " | ".join(f"( {p} )" for p in parsed)


def conversations_matching_text(
    *, messages: QuerySet, conversations: QuerySet | None, q: str, limit: int
) -> list[tuple[object, float]]:
    """Ids of conversations with a message in `messages` (already scoped to
    what the user may see) matching `q`, best first: the best-matching message
    decides, the more recent conversation wins a tie. `conversations`, when
    given, narrows to those (the list's filters); without it the planner is
    spared a join with every conversation of the agency."""
    q = clean_query(q)
    if not q:
        return []
    vendor = connection.vendor
    if vendor == "postgresql":
        tsquery = _pg_tsquery(q)
        if not tsquery:
            return []
        match = RawSQL("inbox_message.search_vector @@ %s::tsquery", [tsquery], BooleanField())
        score = RawSQL("ts_rank(inbox_message.search_vector, %s::tsquery)", [tsquery], FloatField())
        best = Max(score)
        order = "-score"
    elif vendor == "sqlite":
        expression = fts5_expression(q)
        if not expression:
            return []
        match = RawSQL(SQLITE_MATCH, [expression], BooleanField())  # noqa: S611 - constant SQL
        score = RawSQL(SQLITE_RANK, [expression], FloatField())  # noqa: S611 - constant SQL
        best = Min(score)
        order = "score"
    else:  # pragma: no cover - only the two supported databases
        raise NotImplementedError(vendor)
    hits = messages.filter(match, deleted_at__isnull=True)
    if conversations is not None:
        hits = hits.filter(conversation__in=conversations.order_by().values("pk"))
    rows = (
        hits.values("conversation_id")
        .annotate(score=best, latest=Max("sent_at"))
        .order_by(order, "-latest")
        .values_list("conversation_id", "score")[:limit]
    )
    return [(pk, float(score)) for pk, score in rows]
