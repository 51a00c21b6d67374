"""Small statements by key whose SQL Django compiles once per process.

Evaluating a queryset builds its query and compiles it to SQL every time. For
a read by key that is ~0.3 ms of CPU where the database needs ~0.02 ms, and
the worker makes a dozen such statements for every webhook event. A
`CompiledRead` builds the queryset once with stand-in values, lets Django
compile it, and then runs that SQL with each call's values, turning the rows
into model instances as Django's ModelIterable does (its converters,
`Model.from_db`, the select_related populators), or into dicts as
ValuesIterable does: the statement, the rows and the instances are those the
queryset would have given.

Only keys the database receives as they are can be parameters: ints, strings
and UUIDs (sent as hex digits where the database has no UUID type, as the
field sends them); compiling checks that each key lands in the SQL as it is.
Anything else in the queryset (constants, `isnull`, ordering, limits,
`select_for_update`) is compiled in with the SQL.

A `CompiledUpdate` is `queryset.update(**values)` in the same way: the
statement is compiled once for each set of field names (and of which values
are None, which Django writes as NULL), and each call's values are prepared
for the database by their fields, as the update compiler prepares them.
`CompiledSave` and `CompiledInsert` are `save(update_fields=...)` and
`save(force_insert=True)` on top of them, with Model.save's signals.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FullResultSet
from django.db import DatabaseError, connections, models, router, transaction
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable, ValuesIterable, get_related_populators
from django.db.models.signals import post_save, pre_save
from django.db.models.sql import InsertQuery, UpdateQuery
from django.db.transaction import TransactionManagementError

# Stand-ins no caller passes (a string with control characters, an int below
# any id, a UUID of a version uuid4 never makes), so each is found among the
# compiled parameters exactly where its value goes.
_SAMPLES: dict[type, Callable[[int], Any]] = {
    int: lambda i: -(2**52) - i,
    str: lambda i: f"\x1fcompiled-read-{i}\x1f",
    uuid.UUID: lambda i: uuid.UUID(int=(0xC0DE << 112) + i),
}
# How a key reaches the database: as it is, or (a UUID on a database without a
# UUID type, SQLite) as its hex digits, which is what the UUID field sends.
_AS_IS, _HEX = 0, 1


@dataclass(frozen=True)
class _Statement:
    sql: str
    slots: tuple[tuple[bool, Any], ...]  # see _key_slots
    connection: Any
    for_update: bool
    model: type[Model] | None  # None: an existence test, or dicts (values())
    names: tuple[str, ...]  # values(): the keys of each row's dict
    model_fields: slice
    attnames: tuple[str, ...]
    related_populators: list
    converters: dict
    compiler: Any


class CompiledRead:
    """`build(*values)` returns the queryset; `kinds` are the types of the values
    (int, str or uuid.UUID). Calling the read with values returns the list of
    instances, or of dicts for values(), or with `exists=True` whether there is
    a row."""

    def __init__(self, build: Callable[..., QuerySet], *kinds: type, exists: bool = False) -> None:
        if any(kind not in _SAMPLES for kind in kinds):
            raise TypeError("only int, str and UUID values can be parameters")
        self._build = build
        self._kinds = kinds
        self._exists = exists
        # Per thread, as Django's connections are: the compiler kept for its
        # converters belongs to this thread's connection.
        self._local = threading.local()

    def __call__(self, *values: Any) -> Any:
        _check_keys(self._kinds, values)
        using = "default"
        connection = connections[using]
        statement = getattr(self._local, "statement", None)
        if statement is None or statement.connection is not connection:
            statement = self._local.statement = self._compile(using)
        if statement.for_update and connection.get_autocommit():
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        params = _params(statement.slots, values)
        with connection.cursor() as cursor:
            cursor.execute(statement.sql, params)
            rows = cursor.fetchall()
        if statement.model is None and not statement.names:
            return bool(rows)
        if statement.converters:
            rows = statement.compiler.apply_converters(rows, statement.converters)
        if statement.names:
            # As ValuesIterable builds its dicts.
            return [dict(zip(statement.names, row, strict=True)) for row in rows]
        # As ModelIterable builds instances (and select_related's related ones).
        objs = []
        for row in rows:
            obj = statement.model.from_db(using, statement.attnames, row[statement.model_fields])
            for populator in statement.related_populators:
                populator.populate(row, obj)
            objs.append(obj)
        return objs

    def _compile(self, using: str) -> _Statement:
        samples = [_SAMPLES[kind](i) for i, kind in enumerate(self._kinds)]
        queryset = self._build(*samples)
        if queryset.db != using:
            raise ValueError("a compiled read runs on the default database")
        query = queryset.query.exists() if self._exists else queryset.query
        compiler = query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        slots = _key_slots(params, samples)
        model, model_fields, attnames, populators, converters = None, slice(0), (), [], {}
        names: tuple[str, ...] = ()
        if not self._exists and queryset._iterable_class is ValuesIterable:
            if query.extra_select or query.annotation_select:
                raise ValueError("values() of the model's own fields only")
            # The keys as ValuesIterable takes them.
            names = tuple(query.selected) if query.selected else tuple(query.values_select)
            if len(names) != len(compiler.select):
                raise ValueError("values() of the model's own fields only")
            converters = compiler.get_converters([col for col, _, _ in compiler.select])
        elif not self._exists:
            if queryset._iterable_class is not ModelIterable or queryset._known_related_objects:
                raise ValueError("only model instances or values() (no values_list())")
            if compiler.annotation_col_map:
                raise ValueError("no annotations")
            info = compiler.klass_info
            model = info["model"]
            model_fields = slice(info["select_fields"][0], info["select_fields"][-1] + 1)
            attnames = tuple(f[0].target.attname for f in compiler.select[model_fields])
            populators = get_related_populators(info, compiler.select, using)
            converters = compiler.get_converters([col for col, _, _ in compiler.select])
        return _Statement(
            sql=sql,
            slots=slots,
            connection=connections[using],
            # As the compiler decides: SQLite has no FOR UPDATE (its transactions
            # take the write lock) and Django lets it pass there.
            for_update=bool(query.select_for_update)
            and connections[using].features.has_select_for_update,
            model=model,
            names=names,
            model_fields=model_fields,
            attnames=attnames,
            related_populators=populators,
            converters=converters,
            compiler=compiler,
        )


def _check_keys(kinds: tuple[type, ...], keys: tuple) -> None:
    if len(keys) != len(kinds):
        raise TypeError(f"expected {len(kinds)} values, got {len(keys)}")
    for value, kind in zip(keys, kinds, strict=True):
        if not isinstance(value, kind) or isinstance(value, bool):
            # An int passed as str (or a model instance for its key) would be
            # sent as it is, not converted as the ORM would: refuse it.
            raise TypeError(f"expected {kind.__name__}, got {type(value).__name__}")


def _key_slots(params, samples: list) -> tuple[tuple[bool, Any], ...]:
    """For each compiled parameter: (True, (key index, form)) where a key goes,
    (False, the constant) elsewhere."""
    slots = []
    for param in params:
        slot = None
        for i, sample in enumerate(samples):
            if type(param) is type(sample) and param == sample:
                slot = (True, (i, _AS_IS))
            elif isinstance(sample, uuid.UUID) and param == sample.hex:
                slot = (True, (i, _HEX))
            if slot:
                break
        slots.append(slot or (False, param))
    if {v[0] for is_key, v in slots if is_key} != set(range(len(samples))):
        raise ValueError("a value is not passed to the database as it is")
    return tuple(slots)


def _params(slots, keys: tuple) -> list:
    return [
        (keys[v[0]] if v[1] == _AS_IS else keys[v[0]].hex) if is_key else v for is_key, v in slots
    ]


@dataclass(frozen=True)
class _Update:
    sql: str
    fields: tuple  # (field, name) of the values sent as parameters, in order
    slots: tuple[tuple[bool, Any], ...]  # the WHERE clause's parameters (_key_slots)
    connection: Any


class CompiledUpdate:
    """`build(*keys).update(**values)`: `build` and the keys' `kinds` as for
    CompiledRead; called with the keys and the values, returns the rows updated.
    Values are plain values (no expressions such as F())."""

    def __init__(self, build: Callable[..., QuerySet], *kinds: type) -> None:
        if any(kind not in _SAMPLES for kind in kinds):
            raise TypeError("only int, str and UUID values can be parameters")
        self._build = build
        self._kinds = kinds
        self._local = threading.local()

    def __call__(self, *keys: Any, **values: Any) -> int:
        _check_keys(self._kinds, keys)
        for name, value in values.items():
            if hasattr(value, "resolve_expression"):
                raise TypeError(f"{name}: expressions are not supported")
        using = "default"
        connection = connections[using]
        shape = tuple((name, value is None) for name, value in values.items())
        cache = getattr(self._local, "statements", None)
        if cache is None or cache[0] is not connection:
            cache = self._local.statements = (connection, {})
        statement = cache[1].get(shape)
        if statement is None:
            statement = cache[1][shape] = self._compile(using, values)
        params = []
        for field, name in statement.fields:
            value = values[name]
            if hasattr(value, "prepare_database_save"):
                value = value.prepare_database_save(field)  # a related instance: its key
            params.append(field.get_db_prep_save(value, connection=connection))
        params += _params(statement.slots, keys)
        with transaction.mark_for_rollback_on_error(using=using), connection.cursor() as cursor:
            cursor.execute(statement.sql, params)
            return cursor.rowcount

    def _compile(self, using: str, values: dict) -> _Update:
        samples = [_SAMPLES[kind](i) for i, kind in enumerate(self._kinds)]
        queryset = self._build(*samples)
        if queryset.db != using or queryset.query.is_sliced:
            raise ValueError("a compiled update runs on the default database, unsliced")
        query = queryset.query.chain(UpdateQuery)
        # Compiled with this call's values: the SQL depends only on their fields
        # and on which are None, the statement's key.
        query.add_update_values(values)
        if query.related_updates or len(query.alias_map) > 1:
            raise ValueError("only an update of one table by its own columns")
        fields = []
        for field, model, value in query.values:
            if hasattr(field, "get_placeholder"):
                raise ValueError(f"{field.name}: a field with its own placeholder")
            if model is not None and model is not query.model:
                raise ValueError("only the model's own fields")
            if value is not None:
                fields.append((field, field.name if field.name in values else field.attname))
        compiler = query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        try:
            _, where = compiler.compile(query.where)
        except FullResultSet:
            where = []
        if len(params) != len(fields) + len(where) or tuple(params[len(fields) :]) != tuple(where):
            raise ValueError("a value that is not one parameter")
        return _Update(
            sql=sql,
            fields=tuple(fields),
            slots=_key_slots(where, samples),
            connection=connections[using],
        )


class CompiledSave:
    """`instance.save(update_fields=fields)` for instances of one model, with the
    UPDATE compiled once (CompiledUpdate). What Model.save does for such a save
    is done here alike: related fields checked, pre_save and post_save sent
    with the same arguments, each field's value from its pre_save, the instance
    marked saved, DatabaseError when no row was updated. For a plain model (no
    parents, not a proxy) and its own concrete, non-key fields only."""

    def __init__(self, model: type[Model], fields: list[str] | tuple[str, ...]) -> None:
        meta = model._meta
        if meta.parents or meta.proxy or meta.auto_created:
            raise ValueError("only a plain model")
        self._model = model
        self._fields = [meta.get_field(name) for name in fields]
        if any(
            not f.concrete or f.primary_key or f.generated or f.many_to_many for f in self._fields
        ):
            raise ValueError("only concrete fields other than the key")
        self._update_fields = frozenset(fields)
        kind = (
            uuid.UUID
            if isinstance(meta.pk, models.UUIDField)
            else int
            if isinstance(meta.pk, models.IntegerField)
            else str
        )
        self._update = CompiledUpdate(lambda pk: model._base_manager.filter(pk=pk), kind)

    def __call__(self, instance: Model) -> None:
        if type(instance) is not self._model or instance.pk is None:
            raise TypeError("a saved instance of the model")
        instance._prepare_related_fields_for_save(operation_name="save")
        using = router.db_for_write(self._model, instance=instance)
        pre_save.send(
            sender=self._model,
            instance=instance,
            raw=False,
            using=using,
            update_fields=self._update_fields,
        )
        with transaction.mark_for_rollback_on_error(using=using):
            values = {f.attname: f.pre_save(instance, False) for f in self._fields}
            if not self._update(instance.pk, **values):
                raise DatabaseError("Save with update_fields did not affect any rows.")
        instance._state.db = using
        instance._state.adding = False
        post_save.send(
            sender=self._model,
            instance=instance,
            created=False,
            update_fields=self._update_fields,
            raw=False,
            using=using,
        )


class CompiledInsert:
    """`instance.save(force_insert=True)` for new instances of one model whose key
    is set before saving (a default such as uuid4), with the INSERT compiled
    once. As Model.save does: related fields checked, pre_save and post_save
    (created) sent, each field's value from its pre_save and prepared by the
    field, the instance marked saved. For a plain model with no fields the
    database fills in (no auto key, db_default or generated field) and none
    with its own placeholder.

    `skip_conflicts_on`: the fields of one of the model's unique constraints.
    An instance whose values there are already in a row is not inserted (ON
    CONFLICT (...) DO NOTHING, on both databases; waiting, on PostgreSQL, for a
    concurrent insert of the same values to commit or roll back), and the call
    returns False, with no post_save. Where a savepoint around the insert
    would catch the IntegrityError, this takes one statement instead of three;
    any other constraint still raises.
    """

    def __init__(self, model: type[Model], *, skip_conflicts_on: tuple[str, ...] = ()) -> None:
        meta = model._meta
        if meta.parents or meta.proxy or meta.auto_created or meta.order_with_respect_to:
            raise ValueError("only a plain model")
        self._fields = [f for f in meta.local_concrete_fields if not f.generated]
        if (
            meta.auto_field is not None
            or meta.db_returning_fields
            or len(self._fields) != len(meta.local_concrete_fields)
            or any(hasattr(f, "get_placeholder") for f in self._fields)
        ):
            raise ValueError("only fields the caller fills in, sent as plain values")
        self._model = model
        self._local = threading.local()
        self._conflict_fields = [meta.get_field(name) for name in skip_conflicts_on]
        if skip_conflicts_on and not any(
            isinstance(c, models.UniqueConstraint)
            and not c.condition
            and not c.expressions
            and tuple(c.fields) == tuple(skip_conflicts_on)
            for c in meta.constraints
        ):
            raise ValueError("skip_conflicts_on: the fields of a unique constraint, unconditional")

    def _sql(self, connection) -> str:
        cached = getattr(self._local, "sql", None)
        if cached is not None and cached[0] is connection:
            return cached[1]
        query = InsertQuery(self._model)
        # Compiled with an unsaved blank instance: the statement depends only on
        # the fields (one plain placeholder each), not on their values.
        query.insert_values(self._fields, [self._model()], raw=False)
        statements = query.get_compiler(connection=connection).as_sql()
        if len(statements) != 1 or len(statements[0][1]) != len(self._fields):
            raise ValueError("not one INSERT with one parameter per field")
        sql = statements[0][0]
        if self._conflict_fields:
            columns = ", ".join(connection.ops.quote_name(f.column) for f in self._conflict_fields)
            sql += f" ON CONFLICT ({columns}) DO NOTHING"
        self._local.sql = (connection, sql)
        return sql

    def __call__(self, instance: Model) -> bool:
        """Returns whether the row was inserted (always, without skip_conflicts_on)."""
        if type(instance) is not self._model or instance.pk is None:
            raise TypeError("a new instance of the model, its key set")
        instance._prepare_related_fields_for_save(operation_name="save")
        using = router.db_for_write(self._model, instance=instance)
        connection = connections[using]
        sql = self._sql(connection)
        pre_save.send(
            sender=self._model, instance=instance, raw=False, using=using, update_fields=None
        )
        with transaction.mark_for_rollback_on_error(using=using):
            params = []
            for field in self._fields:
                value = field.pre_save(instance, True)
                if hasattr(value, "resolve_expression"):
                    raise TypeError(f"{field.name}: expressions are not supported")
                params.append(field.get_db_prep_save(value, connection=connection))
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                if self._conflict_fields and cursor.rowcount == 0:
                    return False
        instance._state.db = using
        instance._state.adding = False
        post_save.send(
            sender=self._model,
            instance=instance,
            created=True,
            update_fields=None,
            raw=False,
            using=using,
        )
        return True
