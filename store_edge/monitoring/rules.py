"""Alert rules as data: which metrics and operators exist, what a rule must be, and the
pure evaluation step (the clock is the caller's, so tests control it)."""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

METRICS = (
    "sync_lag_seconds", "buffer_size", "disk_usage_percent", "devices_disconnected",
    "scale_error_rate", "unsynced_shifts", "negative_stock_count",
)  # fmt: skip
OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le,
    "eq": operator.eq,
}  # fmt: skip
MAX_DURATION_SECONDS = 7 * 24 * 3600


def rule_problems(metric: str, op: str, threshold: float, duration: float) -> list[str]:
    """What is wrong with a rule, in words a manager reads; empty when it is good."""
    problems = []
    if metric not in METRICS:
        problems.append(f"unknown metric {metric!r}: one of {', '.join(METRICS)}")
    if op not in OPERATORS:
        problems.append(f"unknown operator {op!r}: one of {', '.join(OPERATORS)}")
    if not isinstance(threshold, int | float) or not math.isfinite(threshold):
        problems.append("the threshold must be a number")
    if not isinstance(duration, int) or duration < 0 or duration > MAX_DURATION_SECONDS:
        problems.append(f"the duration is whole seconds from 0 to {MAX_DURATION_SECONDS}")
    return problems


@dataclass(frozen=True)
class Step:
    """What one evaluation of a rule decided."""

    holding_since: datetime | None
    fire: bool = False
    resolve: bool = False


def evaluate(
    *, op: str, threshold: float, duration_seconds: int, value: float | None,
    holding_since: datetime | None, firing: bool, now: datetime,
) -> Step:  # fmt: skip
    """One rule at one moment. The alert fires once, when the condition has held for the
    whole duration, and resolves when it stops holding. A missing value (the metric could
    not be read, say the store never pushed) holds nothing."""
    holds = value is not None and OPERATORS[op](value, threshold)
    if not holds:
        return Step(holding_since=None, resolve=firing)
    since = holding_since or now
    due = now - since >= timedelta(seconds=duration_seconds)
    return Step(holding_since=since, fire=due and not firing)
