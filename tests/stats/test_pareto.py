"""Pareto rows by hand."""

from __future__ import annotations

import pytest

from seci import stats as st


def test_pareto_orders_and_accumulates() -> None:
    # Total 100: billing 50 (0.50, 0.50), network 30 (0.30, 0.80 — reaches 80 %, still
    # vital), fees 15 (0.95), other 5 (1.00).
    rows = st.pareto({"other": 5, "fees": 15, "billing": 50, "network": 30})
    assert [r.category for r in rows] == ["billing", "network", "fees", "other"]
    assert [r.share for r in rows] == pytest.approx([0.5, 0.3, 0.15, 0.05])
    assert [r.cumulative_share for r in rows] == pytest.approx([0.5, 0.8, 0.95, 1.0])
    assert [r.vital_few for r in rows] == [True, True, False, False]


def test_pareto_ties_by_name_and_exact_eighty_percent() -> None:
    # Total 5. d has 2; a, b, c tie at 1 (ordered by name); e has 0.
    # Cumulative: d 2/5, a 3/5, b 4/5 — exactly 80 %, so b is the last of the vital few.
    rows = st.pareto({"b": 1, "a": 1, "c": 1, "d": 2, "e": 0})
    assert [r.category for r in rows] == ["d", "a", "b", "c", "e"]
    assert [r.vital_few for r in rows] == [True, True, True, False, False]


def test_pareto_edges() -> None:
    assert st.pareto({}) == []
    only = st.pareto({"billing": 7})
    assert only == [st.ParetoRow("billing", 7, 1.0, 1.0, True)]
    zeros = st.pareto({"a": 0, "b": 0})
    assert [(r.share, r.vital_few) for r in zeros] == [(0.0, False), (0.0, False)]
    with pytest.raises(ValueError):
        st.pareto({"a": -1})


def test_pareto_with_another_threshold() -> None:
    rows = st.pareto({"a": 60, "b": 30, "c": 10}, vital_share=0.5)
    assert [r.vital_few for r in rows] == [True, False, False]
