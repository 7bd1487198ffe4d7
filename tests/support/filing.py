"""Helpers of tests/api/test_filing.py, shared with the tests that build on it."""

from __future__ import annotations

from tests.support.renovation import Renovation

PROPOSE = """mutation($id: ID!, $t: String!) { submitDesignProposal(projectId: $id, input: {
  title: $t, description: "Plan", documentUrl: "https://docs.example.com/d.pdf",
  estimateCents: 100000}) { id } }"""


CONFIRM = "mutation($p: ID!) { confirmDesignProposal(proposalId: $p) { id } }"


async def confirm_design(scene: Renovation, title: str) -> None:
    proposal = await scene.api.ok(PROPOSE, {"id": scene.project_id, "t": title}, scene.designer)
    await scene.api.ok(CONFIRM, {"p": proposal["submitDesignProposal"]["id"]}, scene.customer)
