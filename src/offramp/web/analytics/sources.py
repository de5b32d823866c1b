"""The office's own tables the analytics snapshot reads, each in one query (`web.dbread`), in the shape the
core function that interprets them reads: referrals for `core.diversion.referral_progress`, ledger
entries for `core.analytics.ledger`. Cases, persons and charges come through `cases.batch.read_batch`."""

from __future__ import annotations

import polars as pl

from offramp.core.analytics.ledger import ENTRY_SCHEMA
from offramp.web.dbread import read


def office_referrals() -> pl.DataFrame:
    """The office's diversion referrals, as `core.diversion.referral_progress.office_progress` reads them."""
    schema = {"case_id": pl.Int64(), "referral_id": pl.Int64(), "state": pl.String(), "offered_on": pl.Date(),
              "accepted_on": pl.Date(), "referred_on": pl.Date(), "enrolled_on": pl.Date(),
              "completed_on": pl.Date(), "terminated_on": pl.Date()}  # fmt: skip
    return read(
        "SELECT case_id, id, state, offered_on, accepted_on, referred_on, enrolled_on, completed_on, "
        "terminated_on FROM diversion_referral",
        schema,
    )


def ledger_entries() -> pl.DataFrame:
    """Every restitution ledger entry with its case (`core.analytics.ledger.ENTRY_SCHEMA`). The amount is
    read as text, so it reaches core as exact cents on both engines (SQLite keeps a NUMERIC column's
    value as REAL, whose text form is the shortest one that reads back the same, i.e. the cents)."""
    schema = {**ENTRY_SCHEMA, "amount": pl.String()}
    return read(
        "SELECT o.case_id, e.order_id, e.seq, e.kind, CAST(e.amount AS TEXT), e.reverses_seq "
        "FROM victims_ledgerentry e JOIN victims_restitutionorder o ON o.id = e.order_id",
        schema,
    )


def consultations() -> pl.DataFrame:
    """The first consultation of a victim (or a representative) per case."""
    schema = {"case_id": pl.Int64(), "victim_contacted_on": pl.Date()}
    return read("SELECT case_id, MIN(consulted_on) FROM victims_victimconsultation GROUP BY case_id", schema)
