"""Planning and running a seed as independent shards of LSG bodies.

A seed is planned up front: each LSG body gets its household count, its numbering state (account,
passport, application and inventory numbers continue across ``--append`` runs), an id block per
table, and a shard.  Shards share nothing at run time (their PIN serials are disjoint and their ids
are pre-assigned), so they can run in one process or in several, in any order, and produce the same
rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sanarip_hub.synthetic.book import BookGenerator
from sanarip_hub.synthetic.country import SHARDS, Emit, IdCounters, LsgState, lsg_random, per_lsg_rows
from sanarip_hub.synthetic.modules import ModuleGenerator
from sanarip_hub.synthetic.territory import SyntheticLsg

Tick = Callable[[int], None]  # called after each household with the households done since the last call


@dataclass(frozen=True)
class LsgJob:
    """Everything needed to generate one LSG body's rows, picklable for worker processes."""

    index: int
    lsg: SyntheticLsg
    households: int
    state: LsgState
    first_ids: dict[str, int]

    @property
    def shard(self) -> int:
        return self.index % SHARDS


def plan_jobs(
    chosen: list[SyntheticLsg], counts: list[int], states: dict[str, LsgState], next_ids: dict[str, int]
) -> list[LsgJob]:
    """One job per LSG body, each with an id block large enough for anything it can produce."""
    running = dict(next_ids)
    jobs = []
    for index, (lsg, households) in enumerate(zip(chosen, counts, strict=True)):
        jobs.append(LsgJob(index, lsg, households, states[lsg.soate_code], dict(running)))
        for table, bound in per_lsg_rows(households).items():
            running[table] += bound
    return jobs


def run_shard(
    seed: int, shard: int, jobs: list[LsgJob], taken_pins: set[str], emit: Emit, tick: Tick
) -> None:
    """Generate every job of ``shard`` in order into ``emit``."""
    modules = ModuleGenerator(emit)
    book = BookGenerator(shard, taken_pins, emit, modules)
    for job in jobs:
        if job.shard != shard:
            raise ValueError(f"job {job.index} belongs to shard {job.shard}, not {shard}")
        ids = IdCounters(job.first_ids)
        book.use_ids(ids)
        modules.use_ids(ids)
        state = job.state
        start = state.next_account
        modules.ensure_queues(state)
        rng = lsg_random(seed, job.lsg.soate_code, f"households:{start}")
        for _ in range(job.households):
            book.household(rng, job.lsg, state)
            tick(1)
        modules.lsg_assets(
            lsg_random(seed, job.lsg.soate_code, f"assets:{start}"), job.lsg, state, job.households
        )
