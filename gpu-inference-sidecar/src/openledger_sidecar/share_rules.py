"""Share rules: how one inference's ranked scores become integer weights, and weights become wei.

Why here: the attribution-quality benchmark measures each rule exactly as the payment path would
apply it, so the rules are written in integer arithmetic only, as a Java implementation must
(`org.openledger.flink.domain.Shares`, `LargestRemainder`): the same inputs give the same
weights on every node. A cross-check needs nothing but these formulas (docs/BENCHMARKS.md):

  s_i = ppm(score_i) = round-half-up(score_i x 1,000,000)   (Java: Math.round(score * 1_000_000.0))
  only contributions with s_i > 0 are attributed (today's `Shares.attribute`); t = threshold ppm.

  LINEAR      w_i = s_i                                          (today's rule)
  TOP1        w_i = 1 if s_i = max_j s_j, else 0                  (ties at the top share equally)
  POWER(p)    w_i = (max(s_i - t, 0) + 1)^p                       (p = 2, 3, 4, ...; exact integers)
  MARGIN(m)   w_i = max(s_i - (max_j s_j - m), 0)                 (m in ppm: only near the top earn)

Each weight list is split with `apportion` (largest remainder, as `LargestRemainder.apportion`).
SOFTMAX(T) is also measured, in floating point, as a reference only: it is not exact in integers,
so it is no candidate for the protocol.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction


def ppm(score: float) -> int:
    """Java's `Math.round(score * 1_000_000.0)` on a float score: floor(x + 1/2) of the exact
    double x (x - floor(x) is exact, so no rounding of x + 0.5 can creep in)."""
    x = float(score) * 1_000_000.0
    r = math.floor(x)
    return r + 1 if x - r >= 0.5 else r


@dataclass(frozen=True)
class Rule:
    """A named share rule: `kind` LINEAR, TOP1, POWER (param p), MARGIN (param m ppm), SOFTMAX
    (param T ppm, floating point: a reference, not exact)."""

    kind: str
    param: int = 0

    @property
    def name(self) -> str:
        return self.kind if self.kind in ("LINEAR", "TOP1") else f"{self.kind}({self.param})"

    @property
    def exact(self) -> bool:
        return self.kind != "SOFTMAX"

    def weights(self, scores_ppm: list[int], threshold_ppm: int) -> list[int] | list[float]:
        """Weights parallel to the attributed scores (each > 0), in the sidecar's order."""
        if any(s <= 0 for s in scores_ppm):
            raise ValueError("only scores of at least 1 ppm are attributed")
        if not scores_ppm:
            return []
        top = max(scores_ppm)
        if self.kind == "LINEAR":
            return list(scores_ppm)
        if self.kind == "TOP1":
            return [1 if s == top else 0 for s in scores_ppm]
        if self.kind == "POWER":
            return [(max(s - threshold_ppm, 0) + 1) ** self.param for s in scores_ppm]
        if self.kind == "MARGIN":
            return [max(s - (top - self.param), 0) for s in scores_ppm]
        if self.kind == "SOFTMAX":
            return [math.exp((s - top) / self.param) for s in scores_ppm]
        raise ValueError(f"unknown share rule '{self.kind}'")

    def shares(self, scores_ppm: list[int], threshold_ppm: int) -> list[Fraction] | list[float]:
        """Each contribution's share of the pool (exact fractions for the integer rules)."""
        w = self.weights(scores_ppm, threshold_ppm)
        total = sum(w)
        if not w:
            return []
        if self.exact:
            return [Fraction(x, total) for x in w]
        return [x / total for x in w]


def parse_rule(text: str) -> Rule:
    """`LINEAR`, `TOP1`, `POWER(3)`, `MARGIN(50000)`, `SOFTMAX(20000)`."""
    text = text.strip().upper()
    if "(" not in text:
        rule = Rule(text)
    else:
        kind, _, rest = text.partition("(")
        rule = Rule(kind, int(rest.rstrip(")")))
    if rule.kind not in ("LINEAR", "TOP1", "POWER", "MARGIN", "SOFTMAX"):
        raise ValueError(f"unknown share rule '{text}'")
    if rule.kind in ("POWER", "MARGIN", "SOFTMAX") and rule.param < 1:
        raise ValueError(f"share rule {text} needs a positive parameter")
    return rule


def apportion(amount: int, keys: list[int], weights: list[int]) -> list[int]:
    """`amount` split over integer weights so the parts sum to it exactly (largest remainder):
    each part gets floor(amount x w / W); the units left go one each to the largest remainders,
    ties to the smaller key. Independent of input order. Needs a positive total weight."""
    if amount < 0:
        raise ValueError(f"negative amount {amount}")
    if any(w < 0 for w in weights):
        raise ValueError("negative weight")
    total = sum(weights)
    if total == 0:
        raise ValueError("weights sum to zero")
    parts, remainders = [], []
    for w in weights:
        q, r = divmod(amount * w, total)
        parts.append(q)
        remainders.append(r)
    left = amount - sum(parts)
    for i in sorted(range(len(weights)), key=lambda i: (-remainders[i], keys[i]))[:left]:
        parts[i] += 1
    return parts


DEFAULT_RULES = (
    "LINEAR", "TOP1", "POWER(2)", "POWER(3)", "POWER(4)", "POWER(8)",
    "MARGIN(50000)", "MARGIN(100000)", "MARGIN(200000)", "SOFTMAX(20000)",
)
PROPOSED_RULE = "POWER(3)"  # the protocol's default rule (DeploymentPlan.DEFAULT_SHARE, docs/BENCHMARKS.md)
