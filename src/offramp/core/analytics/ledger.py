"""Restitution ordered and collected per case, summed over the victims ledger in exact cents.

The ledger (`offramp.core.victims.restitution`) is exact: every amount is a Decimal to the cent. The analytics
frame carries money as Float64, but a sum of floats is not exact (0.10 + 0.20 is 0.30000000000000004), so
the sums are taken here in Polars Decimal and only the total becomes a float: the nearest float to the
exact total, the same whichever order the entries were added in.

- ordered = orders - reductions - reversed orders + reversed reductions (what the person was ordered to
  pay, as it stands after court reductions and corrections);
- collected = payments - reversed payments.

A reversal undoes the entry it names (`reverses_seq`, within the same order) in full, as
`restitution.Ledger.effect` does.
"""

from __future__ import annotations

import polars as pl

from offramp.core.victims.restitution import EntryKind

#: the ledger's amount type: DecimalField(12, 2) in the database, cents exactly
MONEY = pl.Decimal(12, 2)
#: what `restitution_sums` reads
ENTRY_SCHEMA: dict[str, pl.DataType] = {
    "case_id": pl.Int64(),
    "order_id": pl.Int64(),
    "seq": pl.Int32(),
    "kind": pl.String(),
    "amount": MONEY,
    "reverses_seq": pl.Int32(),
}
#: what it gives, one row per case with a ledger entry
SUMS_SCHEMA: dict[str, pl.DataType] = {
    "case_id": pl.Int64(),
    "restitution_ordered_usd": pl.Decimal(38, 2),
    "restitution_collected_usd": pl.Decimal(38, 2),
}


def restitution_sums(entries: pl.DataFrame) -> pl.DataFrame:
    """Per case (`case_id`, any dtype): restitution ordered and collected, exact (Decimal to the cent).

    `entries` has ENTRY_SCHEMA's columns; an `amount` given as text or float is read as cents (a float is
    rounded to the cent first: it came from a column that cannot hold more)."""
    if entries.height == 0:
        return pl.DataFrame(schema=SUMS_SCHEMA)
    amount_type = entries.schema["amount"]
    if amount_type == pl.String:
        amount = pl.col("amount").str.to_decimal(scale=2)
    elif amount_type.is_float():
        amount = pl.col("amount").round(2)
    else:
        amount = pl.col("amount")
    entries = entries.with_columns(amount.cast(MONEY).alias("amount"))
    reversed_kind = entries.select(
        "order_id", pl.col("seq").alias("reverses_seq"), pl.col("kind").alias("reversed_kind")
    )
    entries = entries.join(reversed_kind, on=["order_id", "reverses_seq"], how="left")
    kind, rev, amount = pl.col("kind"), pl.col("reversed_kind"), pl.col("amount")
    zero = pl.lit(0, MONEY)
    order, reduction = EntryKind.ORDER.value, EntryKind.REDUCTION.value
    payment, reversal = EntryKind.PAYMENT.value, EntryKind.REVERSAL.value
    ordered = (
        pl.when(kind == order).then(amount)
        .when(kind == reduction).then(-amount)
        .when((kind == reversal) & (rev == order)).then(-amount)
        .when((kind == reversal) & (rev == reduction)).then(amount)
        .otherwise(zero)
    )  # fmt: skip
    collected = (
        pl.when(kind == payment).then(amount)
        .when((kind == reversal) & (rev == payment)).then(-amount)
        .otherwise(zero)
    )  # fmt: skip
    return entries.group_by("case_id").agg(
        ordered.sum().cast(pl.Decimal(38, 2)).alias("restitution_ordered_usd"),
        collected.sum().cast(pl.Decimal(38, 2)).alias("restitution_collected_usd"),
    )
