"""The figures the statistics take and give: a proportion, a numeric sample's summary, an
interval. Plain frozen dataclasses, no database, no web."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Proportion:
    """Successes of n (calls resolved at first contact of calls answered, say)."""

    successes: int
    n: int

    @property
    def rate(self) -> float:
        """successes ÷ n; raises ZeroDivisionError when n = 0 (see `Rate.value`)."""
        return self.successes / self.n


@dataclass(frozen=True)
class Sample:
    """Summary of a numeric measure: mean, standard deviation, count."""

    mean: float
    sd: float
    n: int

    @property
    def variance_of_mean(self) -> float:
        """s² / n, the squared standard error of the mean."""
        return self.sd ** 2 / self.n


@dataclass(frozen=True)
class Interval:
    """A confidence interval [lower, upper] at `confidence` (0.95 for 95 %).

    `method` is a code naming how it was computed: wilson, newcombe, t, welch, normal.
    """

    lower: float
    upper: float
    confidence: float
    method: str

    @property
    def width(self) -> float:
        return self.upper - self.lower

    def contains(self, value: float) -> bool:
        """lower ≤ value ≤ upper."""
        return self.lower <= value <= self.upper
