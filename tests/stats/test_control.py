"""Control charts against Montgomery's worked examples (Introduction to Statistical Quality
Control) and small hand computations."""

from __future__ import annotations

import math

import pytest

from seci import stats as st

# Montgomery Example 7.1 (Table 7.1): orange-juice cans, 30 samples of 50.
ORANGE_JUICE = [12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22, 8, 10, 5, 13, 11, 20,
                18, 24, 15, 9, 12, 7, 13, 9, 6]
# Montgomery Example 7.3: nonconformities on 26 printed-circuit boards.
CIRCUIT_BOARDS = [21, 24, 16, 12, 15, 5, 28, 20, 31, 25, 20, 24, 16, 19, 10, 17, 13, 22, 18,
                  39, 30, 24, 16, 19, 17, 15]
# Montgomery Example 7.4 (personal computers): nonconformities in 20 samples of 5 units.
COMPUTERS = [10, 12, 8, 14, 10, 16, 11, 7, 10, 15, 9, 5, 7, 11, 12, 6, 8, 10, 7, 5]


@pytest.mark.parametrize(("n", "c4", "a3", "b3", "b4"), [
    (5, 0.9400, 1.427, 0.0, 2.089),
    (10, 0.9727, 0.975, 0.284, 1.716),
    (25, 0.9896, 0.606, 0.565, 1.435),
])
def test_constants_match_montgomerys_appendix_vi(n: int, c4: float, a3: float, b3: float,
                                                 b4: float) -> None:
    assert round(st.c4(n), 4) == c4
    assert round(st.a3(n), 3) == a3
    assert round(st.b3(n), 3) == b3
    assert round(st.b4(n), 3) == b4


def test_c4_of_two_is_exact() -> None:
    # c₄(2) = √2 · Γ(1)/Γ(½) = √2/√π = 0.797885.
    assert st.c4(2) == pytest.approx(math.sqrt(2 / math.pi))
    with pytest.raises(ValueError):
        st.c4(1)


def test_moving_range_constants_round_to_the_table() -> None:
    from seci.stats.control import D2_MOVING_RANGE, D3_MOVING_RANGE, D4_MOVING_RANGE
    assert round(D2_MOVING_RANGE, 3) == 1.128
    assert round(D3_MOVING_RANGE, 3) == 0.853
    assert round(D4_MOVING_RANGE, 3) == 3.267


def test_p_chart_orange_juice() -> None:
    # p̄ = 347/1500 = 0.2313; σ = √(0.2313·0.7687/50) = 0.0596;
    # UCL = 0.2313 + 3·0.0596 = 0.4102, LCL = 0.0524. Samples 15 (22/50 = 0.44) and 23
    # (24/50 = 0.48) are above the UCL.
    chart = st.p_chart(ORANGE_JUICE, 50)
    assert chart.center == pytest.approx(347 / 1500)
    assert chart.upper[0] == pytest.approx(0.4102, abs=1e-4)
    assert chart.lower[0] == pytest.approx(0.0524, abs=1e-4)
    assert chart.violations["we1"] == [14, 22]
    assert chart.values[14] == 0.44
    assert len(chart.upper) == 30


def test_p_chart_orange_juice_revised_without_the_two_assignable_causes() -> None:
    # Montgomery drops samples 15 and 23 (assignable causes) from the baseline:
    # p̄ = (347 − 22 − 24)/1400 = 301/1400 = 0.2150; σ = √(0.215·0.785/50) = 0.058095;
    # UCL = 0.3893, LCL = 0.0407. Sample 21 (20/50 = 0.40) now lies above the UCL too.
    baseline = [i not in (14, 22) for i in range(30)]
    chart = st.p_chart(ORANGE_JUICE, 50, baseline=baseline)
    assert chart.center == pytest.approx(0.2150)
    assert chart.upper[0] == pytest.approx(0.3893, abs=1e-4)
    assert chart.lower[0] == pytest.approx(0.0407, abs=1e-4)
    assert chart.violations["we1"] == [14, 20, 22]
    assert chart.baseline == baseline


def test_np_chart_orange_juice() -> None:
    # CL = 50·0.23133 = 11.567; σ = √(50·0.23133·0.76867) = 2.9815;
    # UCL = 20.51, LCL = 2.62: the same two samples.
    chart = st.np_chart(ORANGE_JUICE, 50)
    assert chart.center == pytest.approx(347 / 1500)
    assert chart.centers[0] == pytest.approx(11.567, abs=1e-3)
    assert chart.upper[0] == pytest.approx(20.51, abs=1e-2)
    assert chart.lower[0] == pytest.approx(2.62, abs=1e-2)
    assert chart.violations["we1"] == [14, 22]


def test_p_chart_with_varying_sizes_and_an_empty_subgroup() -> None:
    # Counts 5, 12, 0, 3 of 50, 100, 0, 25: p̄ = 20/175 = 0.114286, p̄(1 − p̄) = 0.101224.
    # n = 50: σ = √(0.101224/50) = 0.044994, UCL = 0.249269, LCL = max(0, −0.0207) = 0.
    # n = 100: σ = 0.031816, UCL = 0.209733, LCL = 0.018838. n = 0: nothing.
    # n = 25: σ = 0.063632, UCL = 0.305180.
    chart = st.p_chart([5, 12, 0, 3], [50, 100, 0, 25])
    assert chart.center == pytest.approx(0.114286, abs=1e-6)
    assert chart.sigmas[0] == pytest.approx(0.044994, abs=1e-6)
    assert chart.upper == pytest.approx([0.249269, 0.209733, None, 0.305180], abs=1e-6)
    assert chart.lower == pytest.approx([0.0, 0.018838, None, 0.0], abs=1e-6)
    assert chart.values[2] is None
    assert chart.z_scores[2] is None


def test_c_chart_circuit_boards() -> None:
    # c̄ = 516/26 = 19.846; UCL = 19.846 + 3√19.846 = 19.846 + 13.365 = 33.21,
    # LCL = 6.48. Montgomery prints UCL = 33.22 because he rounds c̄ to 19.85 first
    # (19.85 + 3√19.85 = 33.216). Samples 6 (5) and 20 (39) are out of control.
    chart = st.c_chart(CIRCUIT_BOARDS)
    assert chart.center == pytest.approx(19.846, abs=1e-3)
    assert chart.upper[0] == pytest.approx(33.21, abs=1e-2)
    assert chart.upper[0] == pytest.approx(33.22, abs=0.01)  # the book's figure
    assert chart.lower[0] == pytest.approx(6.48, abs=1e-2)
    assert chart.violations["we1"] == [5, 19]


def test_c_chart_circuit_boards_revised() -> None:
    # Without samples 6 and 20: c̄ = (516 − 5 − 39)/24 = 472/24 = 19.67,
    # UCL = 19.67 + 3·4.435 = 32.97, LCL = 6.36 (Montgomery's revised limits).
    chart = st.c_chart(CIRCUIT_BOARDS, baseline=[i not in (5, 19) for i in range(26)])
    assert chart.center == pytest.approx(19.67, abs=1e-2)
    assert chart.upper[0] == pytest.approx(32.97, abs=1e-2)
    assert chart.lower[0] == pytest.approx(6.36, abs=1e-2)


def test_u_chart_personal_computers() -> None:
    # ū = 193/100 = 1.93; σ = √(1.93/5) = 0.6213; UCL = 1.93 + 1.8639 = 3.79,
    # LCL = 0.07; in control.
    chart = st.u_chart(COMPUTERS, 5)
    assert chart.center == pytest.approx(1.93)
    assert chart.upper[0] == pytest.approx(3.79, abs=1e-2)
    assert chart.lower[0] == pytest.approx(0.07, abs=1e-2)
    assert chart.violations["we1"] == []


def test_u_chart_with_varying_fractional_units() -> None:
    # Counts 4, 9, 2 over 2, 4.5, 0.5 units (say, hundreds of calls): ū = 15/7 = 2.142857.
    # n = 2: σ = √(2.142857/2) = 1.035098, UCL = 5.248152, LCL = 0.
    # n = 4.5: σ = 0.690066, LCL = 2.142857 − 2.070197 = 0.072660.
    # n = 0.5: u = 4, σ = 2.070197, UCL = 8.353447.
    chart = st.u_chart([4, 9, 2], [2, 4.5, 0.5])
    assert chart.center == pytest.approx(15 / 7)
    assert chart.values == [2.0, 2.0, 4.0]
    assert chart.upper == pytest.approx([5.248152, 4.213054, 8.353447], abs=1e-6)
    assert chart.lower == pytest.approx([0.0, 0.072660, 0.0], abs=1e-6)


def test_individuals_and_moving_range_by_hand() -> None:
    # x = 10, 12, 11, 15, 13: x̄ = 61/5 = 12.2; MR = 2, 1, 4, 2, MR̄ = 2.25.
    # σ = MR̄/d₂ = 2.25/1.128379 = 1.994011; I limits 12.2 ± 5.982032 = (6.2180, 18.1820)
    # (with the table's 2.66·MR̄ = 5.985: 18.185). MR chart: UCL = 3.2665·2.25 = 7.3497.
    charts = st.individuals_moving_range_chart([10, 12, 11, 15, 13])
    individuals, ranges = charts.individuals, charts.moving_range
    assert individuals.center == pytest.approx(12.2)
    assert individuals.upper[0] == pytest.approx(18.1820, abs=1e-4)
    assert individuals.lower[0] == pytest.approx(6.2180, abs=1e-4)
    assert ranges.values == [None, 2, 1, 4, 2]
    assert ranges.center == pytest.approx(2.25)
    assert ranges.upper[1] == pytest.approx(7.3497, abs=1e-4)  # table: 3.267·2.25 = 7.351
    assert ranges.lower[1] == 0.0
    assert list(ranges.violations) == ["we1"]


def test_individuals_chart_flags_a_jump_and_skips_gaps() -> None:
    # Baseline = indexes 0–5: x̄ = (10 + 11 + 10 + 9 + 11 + 9)/6 = 10; MR = 1, 1, 1, 2, 2,
    # MR̄ = 7/5 = 1.4, σ = 1.4/1.128379 = 1.240719, UCL = 10 + 3.722157 = 13.7222.
    # The missing value leaves a gap: MR at index 7 is |10 − 9| = 1 (from index 5), at
    # index 8 |16 − 10| = 6 > D₄·MR̄ = 3.2665·1.4 = 4.573.
    values: list[float | None] = [10, 11, 10, 9, 11, 9, None, 10, 16]
    charts = st.individuals_moving_range_chart(values, baseline=range(6))
    individuals, ranges = charts.individuals, charts.moving_range
    assert individuals.center == pytest.approx(10)
    assert individuals.upper[0] == pytest.approx(13.7222, abs=1e-4)
    assert individuals.violations["we1"] == [8]
    assert individuals.upper[6] is None
    assert ranges.values[6] is None
    assert ranges.values[7] == 1
    assert ranges.values[8] == 6
    assert ranges.center == pytest.approx(1.4)
    assert ranges.violations["we1"] == [8]
    assert ranges.baseline == [False, True, True, True, True, True, False, False, False]


def test_xbar_s_with_constant_subgroups_by_hand() -> None:
    # n = 5: x̿ = (10 + 11 + 12)/3 = 11, s̄ = (1 + 2 + 1.5)/3 = 1.5.
    # X̄: 11 ± A₃(5)·1.5 = 11 ± 1.427292·1.5 = 11 ± 2.140938 → (8.8591, 13.1409).
    # S: UCL = B₄(5)·1.5 = 2.088998·1.5 = 3.1335, LCL = 0.
    charts = st.xbar_s_chart([st.Sample(10, 1.0, 5), st.Sample(11, 2.0, 5),
                              st.Sample(12, 1.5, 5)])
    assert charts.subgroup_size == 5
    assert charts.xbar.center == pytest.approx(11)
    assert charts.xbar.upper[0] == pytest.approx(13.1409, abs=1e-4)
    assert charts.xbar.lower[0] == pytest.approx(8.8591, abs=1e-4)
    assert charts.s.center == pytest.approx(1.5)
    assert charts.s.upper[0] == pytest.approx(3.1335, abs=1e-4)
    assert charts.s.lower[0] == 0.0


def test_xbar_s_piston_ring_limits() -> None:
    # Montgomery Example 6.3 (piston rings, n = 5): x̿ = 74.001, s̄ = 0.0094 →
    # X̄ UCL = 74.001 + 1.427·0.0094 = 74.014, LCL = 73.988; S UCL = 2.089·0.0094 = 0.0196.
    subgroups = [st.Sample(74.001 + d, 0.0094 + e, 5)
                 for d, e in [(0.002, 0.001), (-0.002, -0.001), (0.0, 0.0)]]
    charts = st.xbar_s_chart(subgroups)
    assert charts.xbar.upper[0] == pytest.approx(74.014, abs=1e-3)
    assert charts.xbar.lower[0] == pytest.approx(73.988, abs=1e-3)
    assert charts.s.upper[0] == pytest.approx(0.0196, abs=1e-4)


def test_xbar_s_with_varying_subgroups_by_hand() -> None:
    # (10, 2, n 5), (12, 3, n 10), (11, 1, n 1): the last has no sd and is skipped.
    # x̿ = (5·10 + 10·12)/15 = 11.3333; s̄ = √((4·4 + 9·9)/(4 + 9)) = √(97/13) = 2.731582.
    # n = 5:  x̿ ± A₃(5)s̄ = 11.3333 ± 1.427292·2.731582 = 11.3333 ± 3.898784;
    #         S UCL = B₄(5)s̄ = 2.088998·2.731582 = 5.706268, LCL = 0.
    # n = 10: x̿ ± A₃(10)s̄ = 11.3333 ± 0.975350·2.731582 = 11.3333 ± 2.664248;
    #         S UCL = 1.716303·2.731582 = 4.688198, LCL = B₃(10)s̄ = 0.283697·2.731582 = 0.774965.
    charts = st.xbar_s_chart([st.Sample(10, 2, 5), st.Sample(12, 3, 10), st.Sample(11, 1, 1)])
    assert charts.subgroup_size is None
    assert charts.xbar.center == pytest.approx(11.3333, abs=1e-4)
    assert charts.s.center == pytest.approx(2.731582, abs=1e-6)
    assert charts.xbar.upper == pytest.approx([15.232118, 13.997582, None], abs=1e-5)
    assert charts.s.upper == pytest.approx([5.706268, 4.688198, None], abs=1e-5)
    assert charts.s.lower == pytest.approx([0.0, 0.774965, None], abs=1e-5)
    assert charts.xbar.values[2] is None


def test_baseline_as_range_slice_or_mask_agree() -> None:
    by_range = st.p_chart(ORANGE_JUICE, 50, baseline=range(0, 20))
    by_slice = st.p_chart(ORANGE_JUICE, 50, baseline=slice(0, 20))
    by_mask = st.p_chart(ORANGE_JUICE, 50, baseline=[i < 20 for i in range(30)])
    # p̄ over the first 20 samples = 214/1000.
    assert by_range.center == by_slice.center == by_mask.center == pytest.approx(0.214)
    assert by_range == by_slice == by_mask


def test_bad_baselines_are_refused() -> None:
    with pytest.raises(ValueError):
        st.c_chart([1, 2, 3], baseline=range(2, 5))
    with pytest.raises(ValueError):
        st.c_chart([1, 2, 3], baseline=[True, False])
    with pytest.raises(ValueError):
        st.c_chart([1, 2, 3], baseline=[False, False, False])
    with pytest.raises(ValueError):
        st.p_chart([3], [2])


def test_a_baseline_without_data_gives_no_limits() -> None:
    chart = st.p_chart([0, 0, 3], [0, 0, 10], baseline=range(2))
    assert chart.center is None
    assert chart.upper == [None, None, None]
    assert chart.values == [None, None, 0.3]
    assert chart.signals == []


def test_no_variation_in_the_baseline_flags_any_departure() -> None:
    # p̄ = 0 in the baseline: σ = 0, limits collapse to 0 and the first defect is a signal.
    chart = st.p_chart([0, 0, 0, 1], 20, baseline=range(3))
    assert chart.upper[3] == 0.0
    assert chart.violations["we1"] == [3]


def test_rules_can_be_chosen() -> None:
    chart = st.p_chart(ORANGE_JUICE, 50, rules=st.NELSON)
    assert set(chart.violations) == set(st.NELSON)
    assert chart.violations["nelson1"] == [14, 22]
    # Samples 22–23 (0.36, 0.48) are both beyond 2σ (z = 2.16, 4.17): 2 of 3.
    assert chart.violations["nelson5"] == [21, 22]
    assert chart.signals == [14, 21, 22, 23]
