"""Statistical disclosure control for every published count of people and households.

Suppressing small cells is not enough: the review took the country's count minus Bishkek's minus
Osh's and got a suppressed cell's exact value (6), and ``lsgPassport`` households minus the
published ``statAggregates`` household types gave the suppressed type.  Statistics offices answer
this with secondary suppression or with controlled rounding; the hub does the second, in its
simplest provable form:

* the finest cell is one LSG body's count (of a gender, a household type, an age band …);
* each such cell is rounded to a multiple of ``BASE`` (10), half up: 0–4 → 0, 5–14 → 10 …;
* every published figure, for any territory, is the **sum of the rounded LSG cells** inside it.

So figures add up exactly across the hierarchy (a country's cell is the sum of its oblasts'),
and every difference of published figures is itself a sum of rounded LSG cells: no subtraction,
however chosen, tells an LSG body's count more precisely than its rounding interval (a cell
published as 0 holds 0–4 people, as 10 holds 5–14).  A figure that sums to 0 is shown as
suppressed, as before.  Totals the LSG passport publishes beside its bands are the sums of its
rounded bands, not separately rounded, for the same reason.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

BASE = 10


def rounded(count: int) -> int:
    """One LSG-level count rounded to a multiple of ``BASE``, half up."""
    return (count + BASE // 2) // BASE * BASE


def controlled_sums(cells: Iterable[tuple[object, str, int]]) -> dict[str, int]:
    """``(lsg, dimension, count)`` rows → published count per dimension: the sum over LSG bodies
    of each body's rounded count."""
    totals: dict[str, int] = defaultdict(int)
    for _lsg, dimension, count in cells:
        totals[dimension] += rounded(int(count))
    return dict(totals)
