"""Field resolvers without strawberry's per-call wrapper, where the wrapper does nothing.

strawberry wraps every resolver so that it can convert arguments, build an `Info` and run
field extensions. For a resolver that takes only `self` (`def title(self) -> str`) and a
field with no extensions, that wrapper converts nothing and calls the method: yet it cost
about 10 us a field, a fifth of a scalar-heavy query (profile of bench/hostile.py's
"30 aliases x myJobs(first: n), 9 fields"). fixhub's types expose their rows through such
methods, so most fields of every answer and every subscription event are of this kind.

`install(schema)` points those fields of the graphql-core schema straight at the method (or,
for a field with no resolver, at `getattr`), keeping strawberry's wrapper for everything
else: arguments, `info`, permission classes and other field extensions. The answers are the
same; tests/unit/test_direct_resolvers.py checks which fields are replaced.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLField, GraphQLObjectType, GraphQLSchema
from strawberry.types.field import StrawberryField

# Where strawberry keeps the StrawberryField behind each graphql-core field (a public key of
# the GraphQLField's `extensions`, written by strawberry's schema converter).
DEFINITION = "strawberry-definition"
_INSTALLED = "fixhub-direct-resolver"


def install(schema: GraphQLSchema) -> int:
    """Replaces the wrapper on every field that allows it; returns how many it replaced.
    Idempotent: the schema object is shared by every app in a process."""
    replaced = 0
    for named in schema.type_map.values():
        if not isinstance(named, GraphQLObjectType) or named.name.startswith("__"):
            continue
        if named in (schema.subscription_type,):
            continue  # subscriptions run through web/fanout.py, not these resolvers
        for field in named.fields.values():
            if field.extensions.get(_INSTALLED):
                replaced += 1
                continue
            direct = direct_resolver(field)
            if direct is not None:
                field.resolve = direct
                field.extensions = {**field.extensions, _INSTALLED: True}
                replaced += 1
    return replaced


def direct_resolver(field: GraphQLField) -> Callable[..., Any] | None:
    """The wrapper-free resolver for `field`, or None when strawberry's wrapper has work to
    do (arguments to convert, `info`, `root` or `parent` to pass, extensions to run)."""
    definition = field.extensions.get(DEFINITION)
    if not isinstance(definition, StrawberryField) or definition.extensions or field.args:
        return None
    resolver = definition.base_resolver
    if resolver is None:
        if definition.default_resolver is not getattr:
            return None
        name = definition.python_name

        def attribute(source: Any, _info: Any) -> Any:
            return getattr(source, name)

        return attribute
    if (
        resolver.arguments
        or resolver.info_parameter is not None
        or resolver.root_parameter is not None
        or resolver.parent_parameter is not None
        or resolver.self_parameter is None
    ):
        return None
    method = resolver.wrapped_func
    if not callable(method):
        return None

    def call(source: Any, _info: Any) -> Any:
        return method(source)

    return call
