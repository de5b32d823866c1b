"""Factories (factory-boy) for the case tables: a Person, a Case with its primary Charge, a Victim.

Most page tests still load a CSV (`load_cases(cases_csv(...))`), which also exercises the importer; these
are for tests that only need rows to exist, so they build them without writing a file:

    case = CaseFactory(case_key="A-1")                 # a person, a possession case, its primary charge
    VictimFactory(case=case, restitution_claimed_usd=250.0)

Saving a Person or Case goes through the model, so the audit signal records it like any other change.
"""

from __future__ import annotations

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from offramp.core.enums import Drug, Harm, OffenseKind, QuantityUnit, Sex
from offramp.web.cases.models import Case, Charge, Person, Victim

#: rows not made by the importer carry no content hash of their own
NO_HASH = "0" * 32


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    person_key = factory.Sequence(lambda n: f"P-{n + 1:04d}")
    row_hash = NO_HASH
    birth_year = 1990
    sex = Sex.MALE.value
    zip = "30030"


class ChargeFactory(DjangoModelFactory):
    class Meta:
        model = Charge

    case = factory.SubFactory("tests.factories.CaseFactory", primary_charge=None)
    seq = 1
    is_primary = True
    statute_raw = "O.C.G.A. 16-13-30(a)"
    title_raw = "POSSESSION OF COCAINE"
    offense_kind = OffenseKind.POSSESSION.value
    drug = Drug.COCAINE.value
    quantity = 1.5
    quantity_unit = QuantityUnit.GRAM.value
    quantity_raw = "1.5 g"


class CaseFactory(DjangoModelFactory):
    """A received possession case; its primary charge says the same as the case's primary columns."""

    class Meta:
        model = Case
        skip_postgeneration_save = True  # the charge points at the case; the case itself has nothing to add

    case_key = factory.Sequence(lambda n: f"C-{n + 1:04d}")
    person = factory.SubFactory(PersonFactory)
    source_format = "offramp-csv"
    row_hash = NO_HASH
    received_date = dt.date(2026, 3, 2)
    primary_offense_kind = OffenseKind.POSSESSION.value
    primary_drug = Drug.COCAINE.value
    victim_count = 0
    primary_charge = factory.RelatedFactory(
        ChargeFactory,
        factory_related_name="case",
        offense_kind=factory.SelfAttribute("..primary_offense_kind"),
        drug=factory.SelfAttribute("..primary_drug"),
    )


class VictimFactory(DjangoModelFactory):
    class Meta:
        model = Victim

    case = factory.SubFactory(CaseFactory, victim_count=1)
    seq = factory.Sequence(lambda n: n + 1)
    harm = Harm.PROPERTY.value
    restitution_claimed_usd = 300.0
