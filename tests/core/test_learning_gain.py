"""Learning gain is progress since the starting point: one rule, and none without a starting point."""

from __future__ import annotations

from reviewapp.core.learning_gain import learning_gain, mean_gain


def test_gain_is_progress_less_the_starting_point() -> None:
    gain = learning_gain(40, 70)
    assert gain.points == 30 and gain.start_to_now == "40% → 70% (+30)"
    assert learning_gain(0, 0).start_to_now == "0% → 0% (+0)"


def test_no_starting_point_means_no_gain_not_a_gain_from_zero() -> None:
    gain = learning_gain(None, 70)
    assert gain.points is None and gain.start_to_now == "70% (no starting point)"


def test_a_fall_below_the_start_is_shown_as_it_is() -> None:
    assert learning_gain(50, 45).start_to_now == "50% → 45% (-5)"


def test_the_mean_counts_only_items_with_a_starting_point() -> None:
    assert mean_gain([learning_gain(40, 70), learning_gain(None, 90), learning_gain(10, 20)]) == 20
    assert mean_gain([learning_gain(None, 90)]) is None and mean_gain([]) is None
