"""The most items each unpaginated list field can hold, for the query cost (web/cost.py).

Lists that can hold many items take `first` instead (defaulting to all of them) and are
priced by it; these are the rest. Each number is a bound the code holds, not a guess: a cap
checked when the items are written (stages, photos, cameras, ...), a fixed set (categories,
roles, reasons), or a cap applied when the list is read (quotes).
tests/unit/test_cost_pricing.py fails when a list field is neither paginated nor listed here.
"""

from __future__ import annotations

from models import ServiceCategory
from resolvers import (
    acceptance,
    cameras,
    contracts,
    enterprises,
    policy,
    quotes,
    settlement,
    validation,
)
from resolvers.records import MAX_RECORD_ENTRIES
from settings import Settings

LIST_CAPS: dict[str, int] = {
    # Marketplace
    "Job.quotes": quotes.quotes_listed(Settings()),  # follows MAX_QUOTES_PER_JOB: caps_for()
    "Worker.categories": len(ServiceCategory),
    "Match.reasons": 4,  # matching.scoring gives one reason per scoring term
    "ServiceRecord.entries": MAX_RECORD_ENTRIES,
    # Enterprises
    "Query.myEnterpriseInvitations": enterprises.MAX_MY_INVITATIONS,
    # Projects
    "Project.myRoles": len(policy.ProjectRole),
    "Project.openDefects": acceptance.MAX_DEFECTS,
    "Query.projectEvaluations": acceptance.MAX_EVALUATIONS,
    "Contract.stages": contracts.MAX_STAGES,
    "Query.milestones": contracts.MAX_STAGES,  # one milestone per contract stage
    "ProgressReport.photoUrls": validation.MAX_PHOTOS,
    "Inspection.photoUrls": validation.MAX_PHOTOS,
    "Query.siteCameras": cameras.MAX_CAMERAS_PER_PROJECT,
    "ProjectStatement.entries": settlement.MAX_DEPOSITS + contracts.MAX_STAGES,
    "ProjectStatement.stages": contracts.MAX_STAGES,
}


def caps_for(settings: Settings) -> dict[str, int]:
    """LIST_CAPS with the caps that follow a setting."""
    return {**LIST_CAPS, "Job.quotes": quotes.quotes_listed(settings)}
