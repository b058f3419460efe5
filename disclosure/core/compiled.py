"""SQL that Django would compile the same way in every request, compiled once per process and database.

Django compiles every subquery of a query afresh each time the query runs. The public rule's two
visibility subqueries (disclosure/core/visibility.py) and the record page's three EXISTS flags
(disclosure/records/selectors.py ``public_record``) hold no data and no time: their SQL text never changes,
yet compiling them was most of the CPU of an uncached record page. ``CompiledOnce`` is an expression whose
SQL is made by Django once per database alias, then written as it is into every query that uses it. The
text is Django's own, so the query means exactly what it meant before.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import BigAutoField, BooleanField, Exists, Expression, Field, QuerySet
from django.db.models.sql import Query
from django.db.models.sql.datastructures import BaseTable


class CompiledOnce(Expression):
    """An expression with a fixed SQL text, made on first use for each database alias by ``compile``
    (``compile(compiler_of_the_query, connection) -> (sql, params)``)."""

    def __init__(self, compile: Callable, output_field: Field):
        super().__init__(output_field=output_field)
        self.compile = compile
        self.compiled: dict[str, tuple[str, tuple]] = {}

    def as_sql(self, compiler, connection):
        found = self.compiled.get(connection.alias)
        if found is None:
            sql, params = self.compile(compiler, connection)
            found = self.compiled[connection.alias] = (sql, tuple(params))
        return found


def ids_of(build: Callable[[], QuerySet]) -> CompiledOnce:
    """``SELECT pk FROM …`` of ``build()``, for ``field__in=``: the queryset must be self-contained (no
    ``OuterRef``), so that its text names only its own tables and aliases and means the same inside any
    query, at any depth (an inner alias that repeats an outer one hides it, as SQL scoping says)."""

    def compile(compiler, connection):
        # As Django prepares a queryset given to ``__in`` and nests it in a query (lookups.In,
        # Query.resolve_expression): the same text, aliases V0… beside the query's own T… and U….
        query = build().query.clone()
        query.clear_ordering(force=True, clear_default=True)
        query.clear_select_clause()
        query.add_fields(["pk"])
        query.bump_prefix(Query(query.model))
        query.subquery = True
        sql, params = query.get_compiler(connection=connection).as_sql()
        return f"({sql})", params

    return CompiledOnce(compile, BigAutoField())


class TopLevelExists(CompiledOnce):
    """``Exists(build())`` for a query of ``model`` that runs as it is, not inside another query: its
    ``OuterRef`` are resolved once against the top-level table of ``model`` (which a top-level query calls
    by its table name). Refuses to be written into any other query, where that name could mean another
    row."""

    def __init__(self, model, build: Callable[[], QuerySet]):
        def compile(compiler, connection):
            outer = model.objects.all().query
            return outer.get_compiler(connection=connection).compile(Exists(build()).resolve_expression(outer))

        super().__init__(compile, BooleanField())
        self.model = model

    def as_sql(self, compiler, connection):
        table = self.model._meta.db_table
        base = compiler.query.alias_map.get(table)
        if compiler.query.subquery or compiler.query.model is not self.model or not isinstance(base, BaseTable):
            raise ValueError(f"A compiled EXISTS is only for a top-level query of {self.model.__name__}.")
        return super().as_sql(compiler, connection)
