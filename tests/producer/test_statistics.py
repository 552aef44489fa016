"""Statistics cannot be un-suppressed by subtraction (issue 11 §4).

The review took the country's count minus Bishkek's minus Osh's and got a suppressed cell's exact
value (6); ``lsgPassport`` households minus the published ``statAggregates`` household types gave
the suppressed type.  Here an attacker holding the statistics body's agreement queries every
territory of a seeded country, every indicator and every LSG passport, and subtracts every way
the hierarchy and the two services allow; no count below 10 comes out exact.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from lxml import etree
from sqlalchemy import text

from sanarip_hub.domain.disclosure import BASE, rounded
from sanarip_hub.storage.service_data import INDICATORS
from tests.producer.conftest import (
    NSC,
    Served,
    envelope,
    own_server,
    post,
    run_hub,
    stat_body,
)

pytestmark = pytest.mark.integration  # servers, processes or a browser on loopback

NS = "{http://sanarip-aimak.gov.kg/xroad/producer/v1}"
LEVELS = (3, 5, 8, 11)  # code prefixes of country, oblast, rayon or city, ayil aimak or town
TRUTH = {
    "population_by_gender": "select l.soate_code, p.gender, count(*) from person p join lsg_body l on "
    "l.id = p.lsg_id where p.death_date is null group by l.soate_code, p.gender",
    "households_by_type": "select l.soate_code, h.household_type, count(*) from household h join lsg_body l "
    "on l.id = h.lsg_id where h.closed_at is null group by l.soate_code, h.household_type",
    "social_passports_by_category": "select l.soate_code, s.welfare_category, count(*) "
    "from social_passport s "
    "join lsg_body l on l.id = s.lsg_id where s.status = 'active' "
    "group by l.soate_code, s.welfare_category",
}


@pytest.fixture(scope="module")
def country(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A seeded country of 40 LSG bodies in several oblasts, served, with the statistics agreement."""

    def prepare(served: Served) -> None:  # 120 households in 2 LSGs, then 3,000 more in 40
        run_hub(served.env, "seed", "--households", "3000", "--lsg", "40", "--seed", "11", "--append")
        served.agree("SA-TEST-NSC", NSC, ["statAggregates", "lsgPassport"], statistics=True)

    with own_server("sqlite", tmp_path_factory.mktemp("country"), prepare=prepare) as server:
        yield server


def scope_of(code: str, level: int) -> str:
    return code[:level].ljust(14, "0")


def published(served: Served, indicator: str, soate: str) -> dict[str, int | None]:
    """dimension → count, or None where the cell is suppressed."""
    reply = post(
        served, envelope("statAggregates", stat_body(indicator, soate), client=NSC, user_id=None, issue=None)
    )
    root = etree.fromstring(reply.content)
    assert root.find(".//faultcode") is None, reply.text
    return {
        cell.findtext(f"{NS}dimension"): (int(c) if (c := cell.findtext(f"{NS}count")) is not None else None)
        for cell in root.iter(f"{NS}cell")
    }


def passport(served: Served, soate: str) -> dict[str, Any]:
    body = f"<sa:lsgPassport><sa:soate>{soate}</sa:soate></sa:lsgPassport>"
    reply = post(served, envelope("lsgPassport", body, client=NSC, user_id=None, issue=None))
    root = etree.fromstring(reply.content)
    assert root.find(".//faultcode") is None, reply.text
    bands = [int(b.findtext(f"{NS}count") or "") for b in root.iter(f"{NS}band")]
    assert bands, reply.text
    population = int(root.findtext(f".//{NS}population") or "")
    assert population == sum(bands)  # the total tells nothing beyond its rounded bands
    assert all(count % BASE == 0 for count in (*bands, population))
    return {"households": int(root.findtext(f".//{NS}households") or "")}


def test_no_subtraction_recovers_a_count_below_ten(country: Served) -> None:
    with country.engine.connect() as connection:
        lsgs = [
            row[0] for row in connection.execute(text("select soate_code from lsg_body order by soate_code"))
        ]
        truth_rows = {name: list(connection.execute(text(sql))) for name, sql in TRUTH.items()}
    assert len(lsgs) >= 30
    tree: dict[str, set[str]] = defaultdict(set)  # parent scope → child scopes
    members: dict[str, set[str]] = defaultdict(set)  # scope → the LSG bodies inside it
    for code in lsgs:
        chain = list(dict.fromkeys([*(scope_of(code, level) for level in LEVELS[:-1]), code]))
        for parent, child in itertools.pairwise(chain):  # (a city is its own rayon-level unit)
            tree[parent].add(child)
        for scope in chain:
            members[scope].add(code)
    scopes = set(members)

    attempts = recovered = 0
    not_additive: list[tuple[str, str, str]] = []
    for indicator in INDICATORS:
        truth: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for lsg, dimension, count in truth_rows[indicator]:
            for scope in scopes:
                if lsg in members[scope]:
                    truth[scope][str(dimension)] += count
        figures = {scope: published(country, indicator, scope) for scope in scopes}
        # 1. parent minus every published sibling: the one suppressed child's count
        for parent, children in tree.items():
            for dimension, total in figures[parent].items():
                if total is None:
                    continue
                hidden = [c for c in children if dimension in figures[c] and figures[c][dimension] is None]
                if len(hidden) != 1:
                    continue
                derived = total - sum(figures[c].get(dimension) or 0 for c in children if c not in hidden)
                attempts += 1
                actual = truth[hidden[0]][dimension]
                if actual < BASE and derived == actual:
                    recovered += 1
        # 2. every published figure is the sum of its children's: nothing to subtract beyond them
        for parent, children in tree.items():
            for dimension, total in figures[parent].items():
                if (total or 0) != sum(figures[c].get(dimension) or 0 for c in children):
                    not_additive.append((indicator, parent, dimension))
    # 3. the LSG passport's households minus the published household types
    for lsg in lsgs:
        types = published(country, "households_by_type", lsg)
        hidden = [d for d, count in types.items() if count is None]
        if len(hidden) == 1:
            attempts += 1
            derived = passport(country, lsg)["households"] - sum(c or 0 for c in types.values())
            with country.engine.connect() as connection:
                actual = connection.execute(
                    text("select count(*) from household h join lsg_body l on l.id = h.lsg_id where "
                         "l.soate_code = :s and h.household_type = :t and h.closed_at is null"),
                    {"s": lsg, "t": hidden[0]},
                ).scalar_one()  # fmt: skip
            if actual < BASE and derived == actual:
                recovered += 1
    assert attempts > 20, "the attack found too few suppressed cells to be meaningful"
    assert recovered == 0, f"{recovered} of {attempts} subtractions gave a count below {BASE} exactly"
    assert not_additive == []


def test_rounding_is_half_up_to_tens() -> None:
    assert [rounded(n) for n in (0, 4, 5, 9, 14, 15, 104, 105)] == [0, 0, 10, 10, 10, 20, 100, 110]
