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

Results are the conversations with a matching message, newest activity first.
A word in a few per cent of all messages matches tens of thousands of them:
reading every match (the GIN index's way) costs far more than walking the
conversations newest first and stopping at the page's last row, and for a
rare word it is the other way round. So where the planner's statistics
expect many matches, the walk comes first, over the newest WALK_WINDOW
conversations; otherwise (or when the window did not fill the page) the
matches are counted through the index up to PROBE_MESSAGES: fewer, and they
are the answer; more, and all the conversations are walked. On PostgreSQL
the walk checks each conversation's words first (`inbox_conversation_words`,
migration 0008: the distinct lexemes of its messages, kept by triggers), one
row read per conversation, and only the conversations they let through are
checked message by message.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from datetime import UTC, datetime

from django.db import DatabaseError, connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import Expression
from django.db.models.functions import Coalesce

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
    "{table}.rowid IN (SELECT rowid FROM inbox_message_fts WHERE inbox_message_fts MATCH %s)"
)
PG_MATCH = "{table}.search_vector @@ %s::tsquery"
# No row (no messages) or NULL (more words than DOC_MAX_LEXEMES): the messages decide.
PG_DOC_MATCH = (
    "(SELECT words @@ %s::tsquery FROM inbox_conversation_words "
    "WHERE conversation_id = {table}.id) IS NOT FALSE"
)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
WORD = re.compile(r"\w+", re.UNICODE)
# Fewer matching messages than this: they are read through the index and their
# conversations sorted. More: the conversations are walked newest first, and a
# page fills within a few thousand of them (181,000 conversations, a million
# messages: either way some 10 ms, docs/performance.md).
PROBE_MESSAGES = 2500
# Where the planner expects at least PROBE_MESSAGES matches, the walk comes
# first, but only over this many of the newest conversations: the estimate
# can be far off (unknown words, words that never occur together).
WALK_WINDOW = 500
# A conversation's words stop growing here (a long chat's vocabulary would be
# rewritten with every message); past it the walk reads its messages.
DOC_MAX_LEXEMES = 1000
# In a tsquery's text: a quoted lexeme (kept as it is) or a phrase operator.
_TSQUERY_TOKEN = re.compile(r"'(?:[^']|'')*'|<(?:-|\d+)>")


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


def pg_conversation_doc_install(schema_editor) -> None:
    """`inbox_conversation_words`: per conversation, the distinct lexemes of its
    messages without positions, or NULL past DOC_MAX_LEXEMES. A table of its
    own, not a column of the conversation: adding a message's words then
    writes one narrow row, where a conversation row takes a new entry in each
    of its eight indexes. A new message adds its words (statement triggers, so
    a bulk insert writes each conversation once, and nothing when it brings no
    new word); a changed, removed or deleted message has them rebuilt from the
    messages, so no word of an unsent or anonymised text stays behind. Not
    indexed by word: it is read along the walk, and a GIN index would take
    every word of the row again with each change. No foreign key either:
    Django, which does not know the table, empties the conversations with a
    plain TRUNCATE (tests); triggers on the conversations clear it instead."""
    cap = int(DOC_MAX_LEXEMES)
    schema_editor.execute(
        "CREATE TABLE IF NOT EXISTS inbox_conversation_words ("
        "conversation_id uuid PRIMARY KEY, words tsvector)"
    )
    # The words of `conv` as its messages hold them now; no row without messages.
    schema_editor.execute(
        "CREATE OR REPLACE FUNCTION inbox_conversation_words_rebuild(convs uuid[]) "  # noqa: S608 - constants only
        "RETURNS void LANGUAGE sql AS $$ "
        "DELETE FROM inbox_conversation_words WHERE conversation_id = ANY(convs); "
        "INSERT INTO inbox_conversation_words (conversation_id, words) "
        f"SELECT m.conversation_id, CASE WHEN count(DISTINCT w.lexeme) > {cap} THEN NULL "
        "ELSE coalesce(array_to_tsvector(array_agg(DISTINCT w.lexeme) "
        "FILTER (WHERE w.lexeme IS NOT NULL)), ''::tsvector) END "
        "FROM inbox_message m LEFT JOIN LATERAL unnest(m.search_vector) w ON true "
        "WHERE m.conversation_id = ANY(convs) GROUP BY m.conversation_id $$"
    )
    schema_editor.execute(
        "CREATE OR REPLACE FUNCTION inbox_message_words_insert() RETURNS trigger "  # noqa: S608 - constants only
        "LANGUAGE plpgsql AS $$ BEGIN "
        "INSERT INTO inbox_conversation_words AS c (conversation_id, words) "
        "SELECT conversation_id, array_to_tsvector(array_agg(DISTINCT w.lexeme)) "
        "FROM new_rows, unnest(new_rows.search_vector) w GROUP BY conversation_id "
        "ON CONFLICT (conversation_id) DO UPDATE SET words = CASE "
        f"WHEN length(c.words || excluded.words) > {cap} THEN NULL "
        "ELSE c.words || excluded.words END "
        "WHERE c.words IS NOT NULL "
        "AND NOT tsvector_to_array(excluded.words) <@ tsvector_to_array(c.words); "
        "RETURN NULL; END $$"
    )
    schema_editor.execute(
        "CREATE OR REPLACE FUNCTION inbox_message_words_rebuild() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_LEVEL = 'ROW' THEN "
        "PERFORM inbox_conversation_words_rebuild("
        "ARRAY[OLD.conversation_id, NEW.conversation_id]); "
        "ELSE "
        "PERFORM inbox_conversation_words_rebuild("
        "ARRAY(SELECT DISTINCT conversation_id FROM old_rows)); "
        "END IF; RETURN NULL; END $$"
    )
    schema_editor.execute(
        "CREATE OR REPLACE FUNCTION inbox_conversation_words_forget() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP = 'TRUNCATE' THEN TRUNCATE inbox_conversation_words; "
        "ELSE DELETE FROM inbox_conversation_words "
        "WHERE conversation_id IN (SELECT id FROM old_rows); "
        "END IF; RETURN NULL; END $$"
    )
    triggers = {
        "inbox_message_words_ai": "AFTER INSERT ON inbox_message "
        "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION inbox_message_words_insert()",
        # Per row, and only for a change of the words or of the conversation:
        # the frequent updates (delivered, read) never reach the function.
        "inbox_message_words_au": "AFTER UPDATE ON inbox_message FOR EACH ROW "
        "WHEN (OLD.search_vector IS DISTINCT FROM NEW.search_vector "
        "OR OLD.conversation_id IS DISTINCT FROM NEW.conversation_id) "
        "EXECUTE FUNCTION inbox_message_words_rebuild()",
        "inbox_message_words_ad": "AFTER DELETE ON inbox_message "
        "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION inbox_message_words_rebuild()",
        "inbox_conversation_words_ad": "AFTER DELETE ON inbox_conversation "
        "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION inbox_conversation_words_forget()",
        "inbox_conversation_words_at": "AFTER TRUNCATE ON inbox_conversation "
        "FOR EACH STATEMENT EXECUTE FUNCTION inbox_conversation_words_forget()",
    }
    for name, definition in triggers.items():
        table = definition.split(" ON ", 1)[1].split()[0]
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        schema_editor.execute(f"CREATE TRIGGER {name} {definition}")
    schema_editor.execute("TRUNCATE inbox_conversation_words")
    schema_editor.execute(
        "INSERT INTO inbox_conversation_words (conversation_id, words) "  # noqa: S608 - constants only
        f"SELECT conversation_id, CASE WHEN count(*) > {cap} THEN NULL "
        "ELSE array_to_tsvector(array_agg(lexeme)) END "
        "FROM (SELECT DISTINCT m.conversation_id, w.lexeme "
        "FROM inbox_message m, unnest(m.search_vector) w) AS words GROUP BY conversation_id"
    )


def pg_conversation_doc_uninstall(schema_editor) -> None:
    for name, table in (
        ("inbox_message_words_ai", "inbox_message"),
        ("inbox_message_words_au", "inbox_message"),
        ("inbox_message_words_ad", "inbox_message"),
        ("inbox_conversation_words_ad", "inbox_conversation"),
        ("inbox_conversation_words_at", "inbox_conversation"),
    ):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    for function in (
        "inbox_message_words_insert()",
        "inbox_message_words_rebuild()",
        "inbox_conversation_words_forget()",
        "inbox_conversation_words_rebuild(uuid[])",
    ):
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}")
    schema_editor.execute("DROP TABLE IF EXISTS inbox_conversation_words")


def _gin_indexes(schema_editor) -> list[str]:
    """The search's GIN indexes that exist, by name."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE indexname IN "
            "('contact_display_name_trgm', 'contact_platform_id_trgm', 'msg_search')"
        )
        return sorted(row[0] for row in cursor.fetchall())


def pg_gin_pending_install(schema_editor) -> None:
    """GIN indexes collect new entries in a pending list (up to 4 MB by
    default) that every search reads in full until vacuum or the next
    overflow merges it: searches slowed by up to a few hundred pages,
    depending on when the last merge was. Contacts are written rarely, so
    their trigram indexes take entries directly; the message index keeps a
    short list, so that storing a message stays cheap and a merge small."""
    for index in _gin_indexes(schema_editor):
        option = "gin_pending_list_limit = 256" if index == "msg_search" else "fastupdate = off"
        schema_editor.execute(f"ALTER INDEX {index} SET ({option})")
        schema_editor.execute(f"SELECT gin_clean_pending_list('{index}'::regclass)")


def pg_gin_pending_uninstall(schema_editor) -> None:
    for index in _gin_indexes(schema_editor):
        schema_editor.execute(f"ALTER INDEX {index} RESET (fastupdate, gin_pending_list_limit)")


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


# The parse depends on the text only: the list polls the same search every
# two seconds for every officer watching it.
@functools.lru_cache(maxsize=512)
def _pg_tsqueries(q: str) -> tuple[str, str]:
    """The query as each configuration parses it, duplicates dropped, OR-ed;
    and the same loosened into what a conversation's summary must contain for
    one of its messages to match (see `_summary_query`). Parsed apart first so
    that the planner sees one constant it can estimate: nine copies of an
    unknown word look nine times as common."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT parsed::text, querytree(parsed) FROM unnest(%s::text[]) AS cfg, "
            "websearch_to_tsquery(cfg::regconfig, %s) AS parsed",
            [list(QUERY_CONFIGS), q],
        )
        rows = sorted((parsed, tree) for parsed, tree in cursor.fetchall() if parsed)
    tsquery = " | ".join(f"( {parsed} )" for parsed, _ in rows)
    trees = [_summary_query(tree) for _, tree in rows]
    # "T": a part with nothing an index could look for (only excluded words).
    summary = "" if any(t in ("", "T") for t in trees) else " | ".join(f"( {t} )" for t in trees)
    return tsquery, summary


def _summary_query(tree: str) -> str:
    """A conversation's summary has its messages' words without positions, in
    which no phrase can be found: `querytree` has dropped the excluded words
    (another message may hold them), and here each phrase becomes its words."""
    return _TSQUERY_TOKEN.sub(lambda m: m.group() if m.group().startswith("'") else "&", tree)


class TableSQL(Expression):
    """SQL on the query's own table (`{table}`), for what Django cannot say:
    the search structures are not model fields. Kept in step when Django
    renames the table inside a subquery. `subquery`, a QuerySet, is put in
    for `{subquery}`; its parameters follow those of `sql`."""

    def __init__(self, sql: str, params: list, *, subquery=None, output_field=None):
        super().__init__(output_field=output_field or BooleanField())
        self.sql, self.params, self.alias = sql, params, None
        self.subquery = Subquery(subquery) if subquery is not None else None

    def get_source_expressions(self):
        return [] if self.subquery is None else [self.subquery]

    def set_source_expressions(self, exprs):
        if exprs:
            (self.subquery,) = exprs

    def resolve_expression(
        self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False
    ):
        clone = super().resolve_expression(query, allow_joins, reuse, summarize, for_save)
        clone.alias = query.get_initial_alias()
        return clone

    def relabeled_clone(self, change_map):
        clone = super().relabeled_clone(change_map)
        clone.alias = change_map.get(self.alias, self.alias)
        return clone

    def as_sql(self, compiler, connection):
        params, subquery = list(self.params), ""
        if self.subquery is not None:
            subquery, subquery_params = compiler.compile(self.subquery)
            params += subquery_params
        table = compiler.quote_name_unless_alias(self.alias)
        return self.sql.format(table=table, subquery=subquery), params


def in_subquery(field: str, queryset: QuerySet):
    """`field IN queryset`, the subquery read once into an array on
    PostgreSQL: as a join it let the planner scan every conversation for a
    name on 2 % of the contacts; as an array, only theirs are read."""
    if connection.vendor == "postgresql":
        column = connection.ops.quote_name(field)
        return TableSQL(f"{{table}}.{column} = ANY(ARRAY{{subquery}})", [], subquery=queryset)
    return Q(**{f"{field}__in": queryset})


def in_order(field: str, values: list):
    """An ordering by the position of `field` in `values`."""
    if connection.vendor == "postgresql":
        column = connection.ops.quote_name(field)
        return TableSQL(
            f"array_position(%s, {{table}}.{column})", [list(values)], output_field=IntegerField()
        )
    return Case(
        *(When(**{field: value}, then=Value(i)) for i, value in enumerate(values)),
        output_field=IntegerField(),
    )


class _ExistsPerRow(Exists):
    """EXISTS that PostgreSQL keeps as a check made per outer row. OFFSET makes
    the subquery one the planner neither turns into a join nor hashes (both
    would read every match through the GIN index first)."""

    template = "EXISTS(%(subquery)s OFFSET 0)"


def one_of(field: str, values: list):
    """`field IN values` for a long list: on PostgreSQL one array parameter,
    which Django builds and sends far faster than thousands of parameters."""
    if connection.vendor == "postgresql":
        return TableSQL(f"{{table}}.{connection.ops.quote_name(field)} = ANY(%s)", [list(values)])
    return Q(**{f"{field}__in": values})


def _estimate(hits: QuerySet) -> float:
    """The planner's estimate of the matching messages, from the statistics
    of the search column (most common lexemes counted, others guessed)."""
    if connection.vendor != "postgresql":
        return 0.0
    plan = hits.values("conversation_id").explain(format="json")
    return json.loads(plan)[0]["Plan"]["Plan Rows"]


def _walk(
    conversations: QuerySet,
    hits: QuerySet,
    summary: str,
    limit: int,
    window: QuerySet | None = None,
) -> list:
    """The conversations in order, each checked, until `limit` match; with a
    `window`, only among the newest WALK_WINDOW of those: the walk reads them
    all, whichever the filters keep."""
    if window is not None:
        newest = window.order_by("-last_message_at").values("last_message_at")[
            WALK_WINDOW - 1 : WALK_WINDOW
        ]
        # Fewer conversations than the window: all of them.
        conversations = conversations.filter(
            last_message_at__gte=Coalesce(Subquery(newest), Value(EPOCH))
        )
    has_match = _ExistsPerRow(hits.filter(conversation_id=OuterRef("pk")))
    if connection.vendor != "postgresql":
        return list(conversations.filter(has_match).values_list("pk", flat=True)[:limit])
    # The summary first, and the messages only where it lets the conversation
    # through. As a CASE the condition has no estimate the planner could take
    # for rare and walk away from the list order for.
    check = Case(
        When(
            TableSQL(PG_DOC_MATCH if summary else "TRUE", [summary] if summary else []),
            then=has_match,
        ),
        default=Value(False),
        output_field=BooleanField(),
    )
    with transaction.atomic(using=conversations.db):
        with connection.cursor() as cursor:
            # The estimate of a walk that might read every conversation is
            # large enough for JIT compilation, which costs far more (~300 ms)
            # than the walk that usually stops within a few hundred rows.
            settings = "SET LOCAL jit = off"
            if window is not None:
                # The window walked newest first, stopping at the page's last
                # row. The planner otherwise takes a filter's own index (one
                # status: most of the window is open) and checks the whole
                # window before sorting it: 500 checks for 180 (the common
                # word in the open conversations: 6.6 → 2.1 ms). Bounded by
                # the window either way.
                settings += "; SET LOCAL enable_sort = off"
            cursor.execute(settings)
        return list(conversations.filter(check).values_list("pk", flat=True)[:limit])


def conversations_matching_text(
    *, messages: QuerySet, conversations: QuerySet, scope: QuerySet, q: str, limit: int
) -> list:
    """Ids of the `conversations` (already filtered and scoped) with a message
    in `messages` (already scoped to what the user may see) matching `q`,
    newest activity first, at most `limit`. `scope`: all the conversations
    the user may see, unfiltered."""
    q = clean_query(q)
    if not q:
        return []
    vendor = connection.vendor
    summary = ""
    if vendor == "postgresql":
        tsquery, summary = _pg_tsqueries(q)
        if not tsquery:
            return []
        match = TableSQL(PG_MATCH, [tsquery])
    elif vendor == "sqlite":
        expression = fts5_expression(q)
        if not expression:
            return []
        match = TableSQL(SQLITE_MATCH, [expression])
    else:  # pragma: no cover - only the two supported databases
        raise NotImplementedError(vendor)
    # Unordered: the messages' own order would sort every match.
    hits = messages.filter(match, deleted_at__isnull=True).order_by()
    conversations = conversations.order_by("-last_message_at")
    if _estimate(hits) >= PROBE_MESSAGES:
        found = _walk(conversations, hits, summary, limit, window=scope)
        if len(found) == limit:
            return found
    found = _probe(hits)
    if found is not None:
        # All of them: the newest of their conversations, by primary key.
        narrowed = conversations.filter(one_of("id", found))
        return list(narrowed.values_list("pk", flat=True)[:limit])
    return _walk(conversations, hits, summary, limit)


def _probe(hits: QuerySet) -> set | None:
    """The conversations of the matching messages, or None for PROBE_MESSAGES
    matches or more. On PostgreSQL they are counted in the database, which
    sends their conversations only when there are fewer: not 2,500 rows
    to be read into Python and dropped."""
    first = hits.values_list("conversation_id", flat=True)[:PROBE_MESSAGES]
    if connection.vendor != "postgresql":
        found = list(first)
        return set(found) if len(found) < PROBE_MESSAGES else None
    sql, params = first.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT CASE WHEN count(*) < %s THEN coalesce(array_agg(conversation_id), '{}') END "  # noqa: S608 - Django's SQL
            f"FROM ({sql}) AS hits",
            [PROBE_MESSAGES, *params],
        )
        found = cursor.fetchone()[0]
    return None if found is None else set(found)
