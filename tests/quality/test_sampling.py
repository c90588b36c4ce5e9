"""Stratified samples: allocation by largest remainder with at least one per stratum,
selection by keyed hash (reproducible), strata labels, filters, authorization."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.core.errors import FieldErrors, PermissionDenied
from seci.quality.errors import EmptyPopulation
from seci.quality.models import QaSampleCall
from seci.quality.sampling import (
    allocate,
    draw_sample,
    duration_band,
    sample_call_ids,
    sample_key,
    sample_strata,
    select_within_strata,
    time_band,
)
from tests.calls.helpers import call
from tests.factories import World
from tests.quality.helpers import (
    SEPTEMBER,
    calls_of,
    import_calls,
    request,
    small_scorecard,
)

# --- allocation, by hand -------------------------------------------------------------------


def test_largest_remainder_with_at_least_one_per_stratum() -> None:
    """50/30/15/5 calls, n = 10 (N = 100): quotas 10·N_h/N = 5, 3, 1.5, 0.5.
    Floors 5/3/1/0 make 9; the 10th call goes to the largest remainder, 0.5 for both the
    15- and the 5-call stratum, the larger first → 5/3/2/0. The 5-call stratum must give
    one: it takes it from the stratum with the largest surplus a_h − q_h (2 − 1.5 = 0.5)
    → 5/3/1/1."""
    populations = {("a",): 50, ("b",): 30, ("c",): 15, ("d",): 5}
    assert allocate(populations, 10) == {("a",): 5, ("b",): 3, ("c",): 1, ("d",): 1}


def test_plain_proportional_and_largest_remainder() -> None:
    # 60/40, n = 10: quotas 6 and 4 exactly.
    assert allocate({("a",): 60, ("b",): 40}, 10) == {("a",): 6, ("b",): 4}
    # 7/7/6, n = 10 (N = 20): quotas 3.5, 3.5, 3 → floors 3/3/3 (9); remainders .5/.5/0,
    # equal sizes in key order → a gets the 10th.
    assert allocate({("a",): 7, ("b",): 7, ("c",): 6}, 10) == {
        ("a",): 4, ("b",): 3, ("c",): 3}


def test_more_strata_than_calls_takes_one_from_each_of_the_largest() -> None:
    populations = {("a",): 3, ("b",): 9, ("c",): 1, ("d",): 5}
    assert allocate(populations, 2) == {("a",): 0, ("b",): 1, ("c",): 0, ("d",): 1}


def test_never_more_than_the_population() -> None:
    populations = {("a",): 3, ("b",): 1, ("c",): 0}
    assert allocate(populations, 50) == {("a",): 3, ("b",): 1, ("c",): 0}
    assert allocate(populations, 0) == {("a",): 0, ("b",): 0, ("c",): 0}


def test_allocation_adds_up_and_respects_stratum_sizes() -> None:
    generator = random.Random(7)
    for _ in range(300):
        populations = {(str(i),): generator.randint(0, 40) for i in range(generator.randint(1, 9))}
        size = generator.randint(1, 120)
        allocation = allocate(populations, size)
        total = sum(populations.values())
        assert sum(allocation.values()) == min(size, total)
        assert all(allocation[k] <= populations[k] for k in populations)
        non_empty = [k for k in populations if populations[k]]
        if min(size, total) >= len(non_empty):
            assert all(allocation[k] >= 1 for k in non_empty)


# --- bands --------------------------------------------------------------------------------


def test_hour_and_duration_bands_at_their_edges() -> None:
    assert [time_band(h) for h in (0, 7, 8, 11, 12, 17, 18, 23)] == [
        "night", "night", "morning", "morning", "afternoon", "afternoon", "evening",
        "evening"]
    assert [duration_band(s) for s in (0, 119, 120, 299, 300, 599, 600, 7200)] == [
        "lt2m", "lt2m", "2to5m", "2to5m", "5to10m", "5to10m", "ge10m", "ge10m"]


# --- selection ----------------------------------------------------------------------------


def test_selection_is_the_smallest_keys_whatever_the_order_and_new_calls() -> None:
    rows = [(f"C{i}", ("x",)) for i in range(200)]
    first = select_within_strata(rows, {("x",): 5}, seed=9)
    expected = sorted((sample_key(9, c), c) for c, _s in rows)[:5]
    assert first[("x",)] == expected
    shuffled = rows[:]
    random.Random(1).shuffle(shuffled)
    assert select_within_strata(shuffled, {("x",): 5}, seed=9) == first
    # a later call joins only if its own key is smaller; no chosen call is reshuffled
    new = [(f"N{i}", ("x",)) for i in range(50)]
    again = select_within_strata(rows + new, {("x",): 5}, seed=9)[("x",)]
    assert again == sorted(expected + [(sample_key(9, c), c) for c, _s in new])[:5]


# --- drawing from the database ------------------------------------------------------------


def _products(db: Session, world: World, tmp_path: Path) -> None:
    """100 calls in four products: 50 流量套餐, 30 宽带, 15 国际漫游, 5 话费."""
    records = (calls_of("L", 50, product="流量套餐") + calls_of("K", 30, product="宽带")
               + calls_of("R", 15, product="国际漫游") + calls_of("H", 5, product="话费"))
    import_calls(db, world, tmp_path, records)


def test_draw_stores_strata_with_population_and_allocation(
        db: Session, world: World, tmp_path: Path) -> None:
    _products(db, world, tmp_path)
    card = small_scorecard(db, world)
    sample = draw_sample(db, actor=world["reviewer"],
                         request=request(card, dimensions=["product"], size=10))
    assert sample.population == 100 and sample.seed == 42
    assert [(s.label, s.population, s.allocated) for s in sample_strata(sample)] == [
        ("流量套餐", 50, 5), ("宽带", 30, 3), ("国际漫游", 15, 1), ("话费", 5, 1)]
    rows = db.scalars(select(QaSampleCall).where(QaSampleCall.sample_id == sample.id)).all()
    assert Counter(r.stratum for r in rows) == {"流量套餐": 5, "宽带": 3, "国际漫游": 1, "话费": 1}
    assert sorted(r.position for r in rows) == list(range(1, 11))
    prefix = {"流量套餐": "L", "宽带": "K", "国际漫游": "R", "话费": "H"}
    assert all(r.call_id.startswith(prefix[r.stratum]) for r in rows)


def test_same_seed_same_calls_other_seed_other_calls(
        db: Session, world: World, tmp_path: Path) -> None:
    _products(db, world, tmp_path)
    card = small_scorecard(db, world)
    first = draw_sample(db, actor=world["reviewer"],
                        request=request(card, dimensions=["product"], seed=2026))
    again = draw_sample(db, actor=world["manager"],
                        request=request(card, dimensions=["product"], seed=2026))
    other = draw_sample(db, actor=world["reviewer"],
                        request=request(card, dimensions=["product"], seed=2027))
    calls = sample_call_ids(db, sample_id=first.id)
    assert sample_call_ids(db, sample_id=again.id) == calls
    assert set(sample_call_ids(db, sample_id=other.id)) != set(calls)
    # the calls are those with the smallest keys in each stratum
    best_flow = sorted((sample_key(2026, f"L{i:04d}"), f"L{i:04d}") for i in range(50))[:5]
    assert {c for c in calls if c.startswith("L")} == {c for _k, c in best_flow}


def test_a_random_seed_is_chosen_stored_and_redraws_the_same(
        db: Session, world: World, tmp_path: Path) -> None:
    _products(db, world, tmp_path)
    card = small_scorecard(db, world)
    first = draw_sample(db, actor=world["reviewer"],
                        request=request(card, dimensions=["product"], seed=None))
    again = draw_sample(db, actor=world["reviewer"],
                        request=request(card, dimensions=["product"], seed=first.seed))
    assert sample_call_ids(db, sample_id=again.id) == sample_call_ids(db, sample_id=first.id)


def test_time_and_duration_strata_are_labelled_like_the_bands(
        db: Session, world: World, tmp_path: Path) -> None:
    import_calls(db, world, tmp_path, [
        call("N1", started_at="2026-09-07T07:59:00+08:00", duration_s=119),
        call("M1", started_at="2026-09-07T08:00:00+08:00", duration_s=120),
        call("A1", started_at="2026-09-07T12:30:00+08:00", duration_s=300),
        call("E1", started_at="2026-09-07T18:00:00+08:00", duration_s=600),
        call("E2", started_at="2026-09-07T23:59:00+08:00", duration_s=3600)])
    card = small_scorecard(db, world)
    sample = draw_sample(db, actor=world["reviewer"],
                         request=request(card, dimensions=["duration", "time"], size=5))
    labels = dict(db.execute(select(QaSampleCall.call_id, QaSampleCall.stratum)
                             .where(QaSampleCall.sample_id == sample.id)).all())
    assert labels == {"N1": "night | lt2m", "M1": "morning | 2to5m",
                      "A1": "afternoon | 5to10m", "E1": "evening | ge10m",
                      "E2": "evening | ge10m"}
    assert {s.label: s.values for s in sample_strata(sample)}["night | lt2m"] == {
        "time": "night", "duration": "lt2m"}
    assert sample.params["dimensions"] == ["time", "duration"]


def test_filters_period_and_transcripts_narrow_the_population(
        db: Session, world: World, tmp_path: Path) -> None:
    no_turns = call("X1")
    del no_turns["turns"]
    import_calls(db, world, tmp_path, [
        call("A1"), call("A2"), call("B1", team="B组"),
        call("Q1", started_at="2026-10-02T10:00:00+08:00"), no_turns])
    card = small_scorecard(db, world)
    team_a = draw_sample(db, actor=world["reviewer"],
                         request=request(card, filters={"team": "A组"}, size=50))
    assert sorted(sample_call_ids(db, sample_id=team_a.id)) == ["A1", "A2"]
    assert team_a.population == 2 and team_a.params["filters"] == {"team": "A组"}
    everything = draw_sample(db, actor=world["reviewer"],
                             request=request(card, with_transcripts=False, size=50))
    assert sorted(sample_call_ids(db, sample_id=everything.id)) == ["A1", "A2", "B1", "X1"]
    # not more than the population
    assert everything.params["drawn"] == 4 and everything.params["size"] == 50


def test_no_matching_call_is_an_error(db: Session, world: World, tmp_path: Path) -> None:
    import_calls(db, world, tmp_path, [call("A1")])
    card = small_scorecard(db, world)
    with pytest.raises(EmptyPopulation):
        draw_sample(db, actor=world["reviewer"], request=request(card, filters={"team": "无"}))


def test_bad_requests_are_refused_field_by_field(db: Session, world: World) -> None:
    card = small_scorecard(db, world)
    with pytest.raises(FieldErrors) as refused:
        draw_sample(db, actor=world["reviewer"], request=request(
            card, end=None, size=0, dimensions=["weather"], seed=-1))
    assert {(p["field"], p["code"]) for p in refused.value.errors} == {
        ("end", "required"), ("size", "out_of_range"), ("dimensions", "invalid_choice"),
        ("seed", "out_of_range")}
    start = SEPTEMBER[0]
    with pytest.raises(FieldErrors) as backwards:
        draw_sample(db, actor=world["reviewer"], request=request(
            card, start=start.replace(day=20), end=start.replace(day=10)))
    assert {(p["field"], p["code"]) for p in backwards.value.errors} == {("end", "period_order")}


@pytest.mark.parametrize("role", ["agent", "supervisor", "analyst", "trainer"])
def test_only_inspectors_draw_samples(db: Session, world: World, tmp_path: Path,
                                      role: str) -> None:
    import_calls(db, world, tmp_path, [call("A1")])
    card = small_scorecard(db, world)
    with pytest.raises(PermissionDenied):
        draw_sample(db, actor=world[role], request=request(card))
