"""Enumerations shared by the tables and, by value, by the GraphQL schema."""

from enum import StrEnum


class Role(StrEnum):
    CUSTOMER = "CUSTOMER"
    WORKER = "WORKER"
    ENTERPRISE_STAFF = "ENTERPRISE_STAFF"
    ADMIN = "ADMIN"


class ServiceCategory(StrEnum):
    WALLS_FLOORS = "WALLS_FLOORS"
    CLEANING = "CLEANING"
    WATER_ELECTRICAL = "WATER_ELECTRICAL"
    DOORS_WINDOWS = "DOORS_WINDOWS"
    PIPES = "PIPES"
    APPLIANCES = "APPLIANCES"


class JobStatus(StrEnum):
    OPEN = "OPEN"
    HIRED = "HIRED"
    SCHEDULED = "SCHEDULED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    ACCEPTED = "ACCEPTED"
    CANCELLED = "CANCELLED"
    CLOSED = "CLOSED"


class QuoteStatus(StrEnum):
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    WITHDRAWN = "WITHDRAWN"


class PointKind(StrEnum):
    EARN = "EARN"
    REDEEM = "REDEEM"
    REFUND = "REFUND"
    ADJUST = "ADJUST"
    EXPIRE = "EXPIRE"
