"""Storage of program listings. Field names equal the columns of `offramp.core.programs.LISTING_SCHEMA`
so the loader writes a frame's rows as they are.

Text fields are nullable on purpose: null means "the source has no value" (an empty cell or `NA`),
exactly as in the frame, and the directory shows nothing rather than an empty string.
"""

from __future__ import annotations

from django.db import models

from offramp.core.programs import ListingKind, MoudCategory


class ProgramListing(models.Model):
    """One program at one address, as a public directory lists it (today: SAMHSA listings via OEPS).

    Listings are public information about services, never about a person. They are replaced by
    re-importing the source (`offramp load_programs`), not edited by hand: an edit would be silently
    overwritten the next time the source row changes.
    """

    #: stable across re-imports: digest of file name, name, address and (MOUD) category
    listing_key = models.CharField(max_length=32, unique=True)
    #: digest of every stored field: a re-import leaves a listing alone when it is unchanged
    row_hash = models.CharField(max_length=32)
    source_file = models.CharField(max_length=200)
    source_row = models.IntegerField(help_text="Spreadsheet row in the source file (the header is row 1).")
    kind = models.CharField(max_length=30, choices=ListingKind.choices())
    name = models.CharField(max_length=300)
    name2 = models.CharField("second name", max_length=300, null=True, blank=True)
    street1 = models.CharField("street", max_length=300, null=True, blank=True)
    street2 = models.CharField("street (line 2)", max_length=300, null=True, blank=True)
    city = models.CharField(max_length=120, null=True, blank=True)
    state = models.CharField(max_length=20, null=True, blank=True)
    zip = models.CharField("ZIP code", max_length=5, null=True, blank=True)
    zip_raw = models.CharField("ZIP code as in the source", max_length=20, null=True, blank=True)
    zip4 = models.CharField("ZIP+4 suffix", max_length=4, null=True, blank=True)
    county = models.CharField(max_length=120, null=True, blank=True)
    phone = models.CharField(max_length=60, null=True, blank=True)
    website = models.CharField(max_length=500, null=True, blank=True)
    category = models.CharField(
        "medication", max_length=20, choices=MoudCategory.choices(), null=True, blank=True
    )
    category_raw = models.CharField("medication as in the source", max_length=60, null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    source_note = models.TextField(help_text="Where the listing comes from: citation, file, original lister.")
    #: data-quality messages from the import (a padded ZIP code, coordinates outside the state ...)
    warnings = models.JSONField(default=list, blank=True)
    #: when an import last wrote this listing (created it, or found it changed in the source)
    imported_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["kind", "name"], name="listing_kind_idx"),
            models.Index(fields=["county", "name"], name="listing_county_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} — {self.name2}" if self.name2 else self.name

    @property
    def website_url(self) -> str | None:
        """The website as a link target, only for http(s) addresses (never a `javascript:` link)."""
        site = (self.website or "").strip()
        return site if site.lower().startswith(("http://", "https://")) else None
