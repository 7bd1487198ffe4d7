"""Helpers of tests/api/test_reviews.py, shared with the tests that build on it."""

from __future__ import annotations

from typing import Any

REVIEW_JOB = """mutation($input: ReviewJobInput!) { reviewJob(input: $input) {
  id rating quality punctuality priceFairness cleanliness comment customer { id } } }"""


REVIEW_CUSTOMER = """mutation($input: ReviewCustomerInput!) { reviewCustomer(input: $input) {
  id rating comment } }"""


def stars(job_id: str, rating: int = 5, **overrides: Any) -> dict[str, Any]:
    return {
        "input": {
            "jobId": job_id,
            "rating": rating,
            "quality": 5,
            "punctuality": 4,
            "priceFairness": 4,
            "cleanliness": 5,
            "comment": "Tidy and quick",
            **overrides,
        }
    }
