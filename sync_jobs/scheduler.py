"""The nightly scheduler: APScheduler 3 with its jobs in the hub database, one acting instance.

Cron expressions and time zone come from ``[schedule]`` (default 02:00 and 02:30 Asia/Bishkek for
the reconciliations, 01:30 for the check of the consumed services' contracts, 04:00 for a full
verification of the ledger, whose outcome the console shows).
Jobs live in APScheduler's SQLAlchemy job store in the hub database, so a restarted scheduler knows
what it was to run.  When several hub instances run a scheduler, only one acts: it holds a
PostgreSQL advisory lock (on SQLite, an exclusive lock on a file beside the database); the others
wait and take over when it goes away (:mod:`sanarip_hub.storage.acting_lock`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sanarip_hub.config import Settings
from sanarip_hub.domain.codes import SyncSource

if TYPE_CHECKING:  # handed to APScheduler's job store, which writes its own SQL
    from sqlalchemy import Engine

LEDGER_VERIFY = "ledger-verify"  # the verification job's id and argument
CONTRACTS_CHECK = "contracts-check"  # the contract check's id and argument


def build_scheduler(engine: Engine, settings: Settings, job: Callable[[str], Any]) -> Any:
    """A BlockingScheduler with one cron job per source, one for the consumed services' contracts and
    one for the ledger's verification, jobs stored in the hub database; ``job`` receives the
    source's name, ``CONTRACTS_CHECK`` or ``LEDGER_VERIFY``."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger

    schedule = settings.schedule
    scheduler = BlockingScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename="scheduler_job")},
        timezone=schedule.timezone,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
    )
    jobs = [  # (job id, the job's argument, cron, name)
        *(
            (f"reconcile-{source.value}", source.value, cron, f"nightly reconciliation with {source.value}")
            for source, cron in (
                (SyncSource.CIVIL_REGISTRY, schedule.civil_registry),
                (SyncSource.TAX, schedule.tax),
            )
        ),
        (
            CONTRACTS_CHECK,
            CONTRACTS_CHECK,
            schedule.contracts_check,
            "consumed services' contracts against our models",
        ),
        (LEDGER_VERIFY, LEDGER_VERIFY, schedule.ledger_verify, "nightly verification of the whole ledger"),
    ]
    for job_id, argument, cron, name in jobs:
        scheduler.add_job(
            job,
            CronTrigger.from_crontab(cron, timezone=schedule.timezone),
            args=[argument],
            id=job_id,
            name=name,
            replace_existing=True,
        )
    return scheduler
