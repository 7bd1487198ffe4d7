"""Logs an operator can search: one line per GraphQL operation, JSON lines when asked.

`LOG_FORMAT=json` makes every log line (fixhub's and uvicorn's) one JSON object; the default,
`text`, is for a developer's terminal. Each operation over HTTP logs one `fixhub.access` line
with its request id, operation name, user id, outcome and duration. What is never logged:
the query text, its variables (passwords, personal data) and the Authorization header, and
uvicorn's own access log is off, since it would print a GET request's query string.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any

import metrics

ACCESS = logging.getLogger("fixhub.access")
# A client's X-Request-ID is kept when it is a plausible id (what proxies and tracing
# systems send); anything else is replaced, so a log line cannot be forged through it.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def request_id_from(header: str | None) -> str:
    if header is not None and _REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex[:16]


def log_operation(
    *,
    request_id: str,
    operation: str | None,
    user_id: int | None,
    outcome: str,
    status: int,
    started: float,
) -> None:
    """One line per operation (`outcome` is `ok` or the first error's code), and the same
    counted in the metrics."""
    label = metrics.operation_label(operation)
    metrics.OPERATIONS.labels(label, outcome).inc()
    metrics.OPERATION_SECONDS.labels(label).observe(time.perf_counter() - started)
    fields = {
        "requestId": request_id,
        "operation": operation,
        "userId": user_id,
        "outcome": outcome,
        "status": status,
        "durationMs": round((time.perf_counter() - started) * 1000, 2),
    }
    ACCESS.info(
        "%s %s by %s: %s (%s ms)",
        request_id,
        operation or "(anonymous operation)",
        user_id if user_id is not None else "anonymous",
        outcome,
        fields["durationMs"],
        extra={"fields": fields},
    )


class JsonFormatter(logging.Formatter):
    """A record as one JSON object: time, level, logger, message, the record's `fields`
    (see log_operation) and, for an exception, its traceback as one string."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


JsonFormatter.converter = time.gmtime


def logging_config(log_format: str, level: str) -> dict[str, Any]:
    """The logging configuration of the process, uvicorn's loggers included (uvicorn.run's
    `log_config`)."""
    formatter: dict[str, Any] = (
        {"()": f"{__name__}.JsonFormatter"}
        if log_format == "json"
        else {"format": "%(levelname)s %(name)s %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": formatter},
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["default"], "level": level.upper()},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": False},
        },
    }
