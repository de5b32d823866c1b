"""`offramp programs import` and `offramp programs export`, run in-process through the real entry point:
the four Georgia files, idempotent re-import, a refused file storing nothing, and an export that the
HSDS 3.0 schemas accept and that imports back into the same directory."""

from __future__ import annotations

import json
import re
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from polars.testing import assert_frame_equal
from tests.integration.helpers import offramp, snapshot
from tests.integration.programs.batches import SVC_MOUD, small_batch

from offramp.core.directory.read import read_directory
from offramp.core.directory.samhsa_locator import GEORGIA_FOLDER
from offramp.core.directory.validate import validate
from offramp.web.audit.models import AuditEvent
from offramp.web.programs.models import DirectoryImport, Location, Organization, Service
from offramp.web.programs.store import store_directory, stored_batch

pytestmark = pytest.mark.django_db

TABLES = (
    "programs_organization",
    "programs_location",
    "programs_service",
    "programs_serviceatlocation",
    "programs_capacityupdate",
)
GEORGIA = ("samhsa-sut", "samhsa-moud", "samhsa-otp", "samhsa-mh")


def summary_numbers(line: str) -> tuple[int, int]:
    """(created, changed) from an import's summary line."""
    match = re.search(r"([\d,]+) created, ([\d,]+) changed", line)
    assert match, line
    return int(match[1].replace(",", "")), int(match[2].replace(",", ""))


def import_georgia(capsys: pytest.CaptureFixture[str], folder: Path = GEORGIA_FOLDER) -> list[str]:
    lines = []
    for fmt in GEORGIA:
        run = offramp(capsys, "programs", "import", str(folder), "--format", fmt, "--no-progress")
        assert run.rc == 0, run.err
        lines.append(run.out.strip())
    return lines


def test_it_imports_the_four_georgia_files_and_a_second_import_changes_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    first = import_georgia(capsys)
    created, changed = zip(*(summary_numbers(line) for line in first), strict=True)
    assert changed[0] == 0 and all(n > 0 for n in created)
    # the later lists name sites already stored from the earlier ones: those services are merged into
    assert all(n > 0 for n in changed[1:]), first
    services = Service.objects.count()
    # every listing becomes part of a service; sites listed by two files are merged into one place
    assert 0 < Location.objects.count() <= 806
    assert services > 0
    assert Organization.objects.count() == Location.objects.count()
    moud = Service.objects.filter(service_types__icontains='"moud_methadone"').count()
    assert moud >= 75  # every opioid treatment program offers methadone
    before = snapshot(TABLES)

    second = import_georgia(capsys)

    for line in second:
        assert ": 0 created, 0 changed," in line, line
    assert snapshot(TABLES) == before
    events = AuditEvent.objects.filter(action="import", object_type="program_directory", outcome="success")
    assert events.count() == 8
    assert [e.detail["format"] for e in events.order_by("id")] == [*GEORGIA, *GEORGIA]
    assert DirectoryImport.objects.count() == 8


def test_a_file_listed_in_two_georgia_lists_is_one_place_not_two(capsys: pytest.CaptureFixture[str]) -> None:
    import_georgia(capsys)
    # a site on several lists (SAMHSA lists it once per list) is stored once, and its one SAMHSA service
    # offers every kind of service the lists gave it
    merged = [s for s in Service.objects.all() if s.sources and len({x.split(":")[0] for x in s.sources}) > 1]
    assert merged, "no site was listed by two files"
    for service in merged[:20]:
        assert service.at_locations.count() == 1


def test_a_refused_file_prints_every_error_and_stores_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import_georgia(capsys)
    before = snapshot(TABLES)
    imports = DirectoryImport.objects.count()
    folder = tmp_path / "broken"
    shutil.copytree(GEORGIA_FOLDER, folder)
    moud = folder / "moud_sites_ga.csv"
    moud.write_bytes(moud.read_bytes().replace(b",countyName,", b",county_name,", 1))

    run = offramp(capsys, "programs", "import", str(moud), "--format", "samhsa-moud", "--no-progress")

    assert run.rc == 1
    assert f"{moud}:1:countyName: '' — expected this column in the header row of a moud listing" in run.err
    assert "nothing was imported" in run.err
    assert run.out == ""
    assert snapshot(TABLES) == before
    assert DirectoryImport.objects.count() == imports
    failure = AuditEvent.objects.filter(object_type="program_directory").order_by("-id").first()
    assert failure is not None
    assert (failure.outcome, failure.detail["errors"]) == ("failure", 1)


def test_a_missing_file_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    run = offramp(capsys, "programs", "import", str(tmp_path / "nope.json"), "--format", "hsds")
    assert run.rc == 1
    assert "nope.json" in run.err
    assert Service.objects.count() == 0


def test_an_unknown_format_is_refused_by_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    run = offramp(capsys, "programs", "import", "x.csv", "--format", "samhsa-xyz")
    assert run.rc == 2
    assert "invalid choice: 'samhsa-xyz'" in run.err


def test_the_export_validates_as_hsds_3_and_imports_back(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    store_directory(small_batch(), "small.json", fmt="hsds")
    out = tmp_path / "export"

    run = offramp(capsys, "programs", "export", "--format", "hsds", "--out", str(out))

    assert run.rc == 0, run.err
    assert "3 services" in run.out
    services = json.loads((out / "services.json").read_text(encoding="utf-8"))["contents"]
    assert len(services) == 3
    for service in services:
        assert validate(service, "service") == [], service["id"]
    (clinic,) = [s for s in services if s["id"] == SVC_MOUD]
    assert (clinic["name"], clinic["organization"]["name"]) == ("Buprenorphine clinic", "Peachtree Recovery")
    event = AuditEvent.objects.get(action="export", object_type="program_directory")
    assert (event.outcome, event.detail["services"]) == ("success", 3)
    # what was exported reads back as the same records (ids, eligibility and capacity included)
    back = read_directory(out, "hsds")
    stored = stored_batch()
    for name in ("organizations", "services", "locations"):
        ours, theirs = getattr(stored, name).sort("id"), getattr(back, name).sort("id")
        assert ours.get_column("id").to_list() == theirs.get_column("id").to_list(), name
    assert_frame_equal(
        stored.services.sort("id").select("service_types", "moud_policy", "vacancies", "capacity_updated"),
        back.services.sort("id").select("service_types", "moud_policy", "vacancies", "capacity_updated"),
    )


def test_export_refuses_a_folder_that_is_not_an_export(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    store_directory(small_batch(), "small.json", fmt="hsds")
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    run = offramp(capsys, "programs", "export", "--format", "hsds", "--out", str(tmp_path))
    assert run.rc == 1
    assert "nothing was written" in run.err
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


#: the HSDS 1.x tabular sample from Open Referral (the importers' tests read it from the same place)
HSDS_SAMPLE = Path(__file__).resolve().parents[2] / "data" / "hsds_sample"


@pytest.mark.parametrize("variant", ["simple", "all_resources"])
def test_it_imports_the_hsds_sample_and_again_changes_nothing(
    capsys: pytest.CaptureFixture[str], variant: str
) -> None:
    import_georgia(capsys)
    path = str(HSDS_SAMPLE / variant)
    first = offramp(capsys, "programs", "import", path, "--format", "hsds", "--no-progress")
    assert first.rc == 0, first.err
    created, _ = summary_numbers(first.out)
    assert created > 0
    before = snapshot(TABLES)
    second = offramp(capsys, "programs", "import", path, "--format", "hsds", "--no-progress")
    assert second.rc == 0, second.err
    assert ": 0 created, 0 changed," in second.out
    assert snapshot(TABLES) == before


def test_load_programs_loads_the_packaged_georgia_files_once(capsys: pytest.CaptureFixture[str]) -> None:
    first, second = StringIO(), StringIO()
    call_command("load_programs", stdout=first)
    before = snapshot(TABLES)
    call_command("load_programs", stdout=second)
    assert " 0 unchanged" in first.getvalue()
    assert ": 0 created, 0 changed," in second.getvalue()
    assert snapshot(TABLES) == before
    # the four files one by one through the command line find every record already there
    for line in import_georgia(capsys):
        assert ": 0 created, 0 changed," in line, line
