"""Tortoise writes each model's docstring into the migration's SQL as a table comment without
escaping, and the SQLite client splits statements on semicolons: an apostrophe or a semicolon
in a model docstring breaks `python server.py` on a fresh SQLite database. This keeps it from
happening again."""

from __future__ import annotations

import inspect

import pytest
from tortoise.models import Model

import models

MODELS = [
    value
    for value in vars(models).values()
    if inspect.isclass(value) and issubclass(value, Model) and value is not Model
]


def test_every_table_is_checked() -> None:
    assert len(MODELS) >= 30


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_table_description_is_safe_in_sql(model: type[Model]) -> None:
    description = model._meta.table_description or ""
    assert "'" not in description and ";" not in description, model.__name__
