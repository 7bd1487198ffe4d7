"""The matching engine: candidates, scores and reasons. Knows nothing of GraphQL."""
