"""Helpers of tests/api/test_designs_materials.py, shared with the tests that build on it."""

from __future__ import annotations

from typing import Any

from tests.support.api import Api
from tests.support.renovation import Renovation

RECORD = "record { id kind subject version supersedesId sha256 contentText content }"


PLAN = f"""id version totalCents currency budgeter {{ id }} createdAt
  items {{ name unit quantity unitPriceCents totalCents }} {RECORD}"""


FILE_PLAN = f"""
mutation($id: ID!, $input: MaterialPlanInput!) {{
  fileMaterialPlan(projectId: $id, input: $input) {{ {PLAN} }}
}}"""


ITEMS = [
    {"name": "Floor tiles", "unit": "m2", "quantity": 2.5, "unitPriceCents": 333},
    {"name": "Tile adhesive", "unit": "bag", "quantity": 3, "unitPriceCents": 1299},
    {"name": "Primer", "unit": "l", "quantity": 0.1, "unitPriceCents": 5},
    {"name": "Cable", "unit": "m", "quantity": 12.345, "unitPriceCents": 99},
]


async def file_plan(
    api: Api, scene: Renovation, items: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    data = await api.ok(
        FILE_PLAN,
        {"id": scene.project_id, "input": {"items": ITEMS if items is None else items}},
        scene.material_budgeter,
    )
    return data["fileMaterialPlan"]
