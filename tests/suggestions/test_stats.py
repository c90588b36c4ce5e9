"""The statistics against hand-computed examples."""

from __future__ import annotations

from datetime import datetime

from seci.suggestions.stats import (
    MonthlyCount,
    Rate,
    SuggestionFact,
    adoption_rate,
    median_days_to_answer,
    monthly_counts,
    team_figures,
)


def fact(team: str, status: str, submitted: str, answered: str | None = None
         ) -> SuggestionFact:
    return SuggestionFact(team, status, datetime.fromisoformat(submitted),
                          datetime.fromisoformat(answered) if answered else None)


# Times are UTC; Asia/Shanghai is 8 hours ahead, so 2026-10-31 18:00 UTC is November locally.
FACTS = [
    fact("A组", "adopted", "2026-10-05 02:00", "2026-10-07 02:00"),  # 2 days
    fact("A组", "rewarded", "2026-10-10 02:00", "2026-10-11 14:00"),  # 1.5 days
    fact("A组", "declined", "2026-10-31 18:00", "2026-11-04 18:00"),  # 4 days, Nov locally
    fact("A组", "submitted", "2026-11-02 02:00"),
    fact("B组", "declined", "2026-11-03 02:00", "2026-11-13 02:00"),  # 10 days
    fact("B组", "withdrawn", "2026-11-04 02:00"),
    fact("B组", "adopted", "2026-11-05 02:00", "2026-11-06 02:00"),  # 1 day
]


def test_adoption_rate_counts_adopted_over_answered() -> None:
    # answered: adopted, rewarded, declined, declined, adopted = 5; adopted: 3
    rate = adoption_rate(FACTS)
    assert rate == Rate(3, 5)
    assert rate.value == 0.6


def test_adoption_rate_without_answers_is_undefined() -> None:
    assert adoption_rate([fact("A组", "submitted", "2026-11-01 00:00")]).value is None


def test_median_days_to_answer() -> None:
    # answer times in days: 2, 1.5, 4, 10, 1 → sorted 1, 1.5, 2, 4, 10 → median 2
    assert median_days_to_answer(FACTS) == 2.0
    # an even count takes the mean of the middle two: 1.5 and 2 → 1.75
    assert median_days_to_answer(FACTS[:2] + FACTS[4:]) == 1.75


def test_monthly_counts_per_team_by_local_month_of_submission() -> None:
    assert monthly_counts(FACTS) == [
        MonthlyCount("2026-10", "A组", submitted=2, adopted=2, declined=0),
        MonthlyCount("2026-11", "A组", submitted=2, adopted=0, declined=1),
        MonthlyCount("2026-11", "B组", submitted=3, adopted=1, declined=1),
    ]


def test_team_figures() -> None:
    a_team, b_team = team_figures(FACTS)
    assert (a_team.team, a_team.submitted, a_team.adoption) == ("A组", 4, Rate(2, 3))
    assert a_team.median_days == 2.0  # 2, 1.5, 4
    assert (b_team.team, b_team.submitted, b_team.adoption) == ("B组", 3, Rate(1, 2))
    assert b_team.median_days == 5.5  # 10 and 1
