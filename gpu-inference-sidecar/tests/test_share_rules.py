"""Share rules are exact integer functions of the ranked scores, and every split conserves its pool."""

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openledger_sidecar.share_rules import DEFAULT_RULES, Rule, apportion, parse_rule, ppm

EXACT_RULES = [parse_rule(r) for r in DEFAULT_RULES if not r.startswith("SOFTMAX")]
scores = st.lists(st.integers(1, 1_000_000), min_size=1, max_size=12)
thresholds = st.sampled_from([0, 200_000])


def test_should_round_scores_to_ppm_half_up_as_java_math_round_does():
    assert ppm(np.float32(0.5)) == 500_000
    assert ppm(0.0000005) == 1  # exactly half a ppm: up
    assert ppm(0.00000049) == 0
    assert ppm(-0.0000005) == 0  # Java: Math.round(-0.5) == 0
    assert ppm(-0.0000015) == -1
    assert ppm(np.float32(1.0000001)) == 1_000_000


@settings(max_examples=500, deadline=None)
@given(st.floats(-1.5, 1.5, width=32))
def test_should_equal_floor_of_the_double_product_plus_a_half_exactly(score):
    """Java: Math.round(score * 1_000_000.0) is floor(d + 1/2) of the double d, computed exactly."""
    d = float(np.float32(score)) * 1_000_000.0

    assert ppm(np.float32(score)) == math.floor(Fraction(d) + Fraction(1, 2))


def test_should_weigh_each_rule_by_its_documented_formula():
    s, t = [900_000, 850_000, 850_000, 300_000], 200_000

    assert Rule("LINEAR").weights(s, t) == s
    assert Rule("TOP1").weights(s, t) == [1, 0, 0, 0]
    assert Rule("TOP1").weights([7, 7, 3], 0) == [1, 1, 0]  # ties at the top share
    assert Rule("POWER", 2).weights(s, t) == [700_001 ** 2, 650_001 ** 2, 650_001 ** 2, 100_001 ** 2]
    assert Rule("MARGIN", 100_000).weights(s, t) == [100_000, 50_000, 50_000, 0]
    assert parse_rule("power(3)") == Rule("POWER", 3)
    assert Rule("POWER", 3).name == "POWER(3)" and Rule("TOP1").name == "TOP1"


def test_should_refuse_unknown_rules_and_non_positive_parameters():
    for bad in ("MEDIAN", "POWER(0)", "MARGIN(-5)", "POWER(x)"):
        with pytest.raises(ValueError):
            parse_rule(bad)
    with pytest.raises(ValueError):
        Rule("LINEAR").weights([5, 0], 0)


@settings(max_examples=300, deadline=None)
@given(scores=scores, threshold=thresholds, rule=st.sampled_from(EXACT_RULES))
def test_should_give_exact_shares_that_sum_to_one_and_favour_higher_scores(scores, threshold, rule):
    scores = [max(s, threshold) for s in scores]  # the sidecar returns nothing under the threshold
    weights = rule.weights(scores, threshold)
    shares = rule.shares(scores, threshold)

    assert all(isinstance(w, int) and w >= 0 for w in weights)
    assert sum(weights) > 0
    assert sum(shares) == 1
    for a, b in zip(scores, weights):
        for c, d in zip(scores, weights):
            if a > c:
                assert b >= d  # monotone: a higher score never earns less
    assert rule.weights(scores, threshold) == weights  # a pure function


@settings(max_examples=300, deadline=None)
@given(
    amount=st.integers(0, 10 ** 30),
    scores=scores,
    threshold=thresholds,
    rule=st.sampled_from(EXACT_RULES),
    data=st.data(),
)
def test_should_split_the_pool_to_the_wei_whatever_the_order(amount, scores, threshold, rule, data):
    scores = [max(s, threshold) for s in scores]
    keys = list(range(100, 100 + len(scores)))
    weights = rule.weights(scores, threshold)

    parts = apportion(amount, keys, weights)
    order = data.draw(st.permutations(range(len(keys))))
    shuffled = apportion(amount, [keys[i] for i in order], [weights[i] for i in order])

    assert sum(parts) == amount
    assert {k: p for k, p in zip(keys, parts)} == {keys[i]: p for i, p in zip(order, shuffled)}
    total = sum(weights)
    for w, p in zip(weights, parts):
        assert amount * w // total <= p <= amount * w // total + 1


def test_should_refuse_splits_that_cannot_conserve_the_pool():
    with pytest.raises(ValueError, match="zero"):
        apportion(10, [1, 2], [0, 0])
    with pytest.raises(ValueError, match="negative"):
        apportion(-1, [1], [1])


def test_should_measure_softmax_only_as_a_floating_point_reference():
    rule = parse_rule("SOFTMAX(20000)")

    shares = rule.shares([900_000, 880_000], 0)

    assert not rule.exact
    assert shares[0] == pytest.approx(1 / (1 + np.exp(-1)))
