"""Victims and restitution: consultations, notification letters, restitution orders and their ledger.

Everything here is a record of what happened, so the rows are immutable (`ImmutableModel`: `save()` on a
stored row and `delete()` raise): a consultation is followed by another consultation, a letter by another
letter, a ledger entry is corrected by a reversing entry, and a payment plan is replaced by a newer plan
(the newest wins). The victims themselves are `cases.Victim` rows (imported with the case).

Restitution money is `DecimalField(max_digits=12, decimal_places=2)`, never a float; every rule of the
ledger (first entry an order, no overpayment, reversal rules, ...) is core `offramp.core.victims.restitution`'s,
checked by `offramp.web.victims.ledger.append_entry` before anything is stored.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from offramp.core.victims import restitution as core
from offramp.web.cases.models import Case, Victim
from offramp.web.immutable import ImmutableModel


class Method(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "Phone"
    LETTER = "letter", "Letter"
    VIDEO = "video", "Video call"


class VictimConsultation(ImmutableModel):
    """The victim (or, with `victim` empty, the victim's representative or the victims as a group) was
    consulted about diverting the case. Recorded by a victim advocate."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="victim_consultations")
    #: the victim consulted; empty when a representative was consulted for the case's victims
    victim = models.ForeignKey(
        Victim, null=True, blank=True, on_delete=models.PROTECT, related_name="consultations"
    )
    consulted_on = models.DateField()
    method = models.CharField(max_length=20, choices=Method.choices)
    views = models.TextField(blank=True)
    #: None: the victim expressed no view on diversion (the decision stays the prosecutor's)
    agrees_to_diversion = models.BooleanField(null=True, blank=True)
    wants_notifications = models.BooleanField(default=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-consulted_on", "-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"consultation {self.pk} on case {self.case_id} ({self.consulted_on})"


class LetterKind(models.TextChoices):
    DECISION = "decision", "Charging decision"
    OFFER = "offer", "Diversion offer"
    COMPLETION = "completion", "Diversion completed"


class Letter(ImmutableModel):
    """A notification letter as sent: the body is rendered once, from `victims/letters/<kind>.txt`, and
    kept as text, so the letter reads the same after the template or the case changes."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="victim_letters")
    victim = models.ForeignKey(
        Victim, null=True, blank=True, on_delete=models.PROTECT, related_name="letters"
    )
    kind = models.CharField(max_length=20, choices=LetterKind.choices)
    body = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} letter {self.pk} on case {self.case_id}"


class RestitutionOrder(models.Model):
    """Restitution ordered for a victim. The amount is not a field: it is the ORDER entry of the ledger,
    written with the order (`ledger.create_order`), and further or amended amounts are further entries."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="restitution_orders")
    victim = models.ForeignKey(
        Victim, null=True, blank=True, on_delete=models.PROTECT, related_name="restitution_orders"
    )
    ordered_on = models.DateField()
    description = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-ordered_on", "-id"]
        permissions = [("record_payment", "Can record restitution payments, reversals and payment plans")]

    def __str__(self) -> str:
        return f"restitution order {self.pk} on case {self.case_id}"

    def entries_core(self) -> list[core.LedgerEntry]:
        return [e.to_core() for e in self.entries.order_by("seq")]

    def ledger(self) -> core.Ledger:
        """The core ledger of the stored entries (every rule replayed)."""
        return core.Ledger.from_entries(self.entries_core())

    def current_plan(self) -> PaymentPlan | None:
        return self.plans.order_by("-created_at", "-id").first()


class LedgerEntry(ImmutableModel):
    """One line of an order's append-only ledger (core `LedgerEntry`); `seq` is unique per order."""

    order = models.ForeignKey(RestitutionOrder, on_delete=models.PROTECT, related_name="entries")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=[(k.value, k.value.title()) for k in core.EntryKind])
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    on = models.DateField()
    reverses_seq = models.PositiveIntegerField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["order", "seq"]
        constraints = [models.UniqueConstraint(fields=["order", "seq"], name="ledger_entry_order_seq_unique")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.seq} of order {self.order_id}"

    def to_core(self) -> core.LedgerEntry:
        return core.LedgerEntry(
            seq=self.seq,
            kind=core.EntryKind(self.kind) if not isinstance(self.kind, core.EntryKind) else self.kind,
            amount=core.money(self.amount),
            on=self.on,
            reverses=self.reverses_seq,
            note=self.note,
            recorded_by=str(self.recorded_by_id),
        )


class PaymentPlan(ImmutableModel):
    """A payment plan for an order (core `plan_for`); a new plan replaces the old one (the newest wins)."""

    order = models.ForeignKey(RestitutionOrder, on_delete=models.PROTECT, related_name="plans")
    #: the balance owed when the plan was set: what its schedule pays
    total = models.DecimalField(max_digits=12, decimal_places=2)
    monthly = models.DecimalField(max_digits=12, decimal_places=2)
    first_due = models.DateField()
    review_on = models.DateField(null=True, blank=True)
    basis = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"payment plan {self.pk} for order {self.order_id}"
