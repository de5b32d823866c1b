"""`offramp screen`: score a screening instrument from the command line, without Django.

    offramp screen score INSTRUMENT --answers JSON [--json]
    offramp screen show INSTRUMENT      (items in order, answer options, bands, licence note)
    offramp screen list

INSTRUMENT is `uncope`, `dast-10`, `taps-1`, a TAPS-2 module `taps-2-<substance>` (tobacco, alcohol,
marijuana, stimulants, heroin, prescription-opioids, sedatives, prescription-stimulants) or `tcu-ds5`
(`offramp screen list`). `--answers` is a JSON list in item order: true/false for yes/no items, the option's
value for other items (e.g. `"weekly"` for TAPS-1). TAPS-1 is a pre-screen: use reported on it prints which
TAPS-2 modules are needed; the SUD band comes from TAPS-2. Bad JSON, a
bad answer or an unknown instrument prints a message naming the problem (and the item) and exits 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

USAGE_ERROR = 2


def add_parser(sub: Any) -> None:
    parser = sub.add_parser("screen", help="substance-use screening instruments")
    what = parser.add_subparsers(dest="what", required=True)
    score = what.add_parser("score", help="score one administration of an instrument")
    score.add_argument("instrument", help="uncope, dast-10, taps-1, taps-2-<substance> or tcu-ds5")
    score.add_argument(
        "--answers",
        required=True,
        help='JSON list in item order: true/false for yes/no items, else the option value ("weekly")',
    )
    score.add_argument("--json", action="store_true", help="print the result as a JSON object")
    score.set_defaults(handler=run_score)
    show = what.add_parser("show", help="show an instrument's items, options, bands and licence")
    show.add_argument("instrument", help="uncope, dast-10, taps-1, taps-2-<substance> or tcu-ds5")
    show.set_defaults(handler=run_show)
    listing = what.add_parser("list", help="list the instruments")
    listing.set_defaults(handler=run_list)


def _fail(message: str) -> int:
    print(f"offramp screen: {message}", file=sys.stderr)
    return USAGE_ERROR


def run_score(ns: argparse.Namespace) -> int:
    from offramp.core.screening import AnswerError, UnknownInstrumentError, get_instrument
    from offramp.core.screening.scoring import score_instrument

    try:
        instrument = get_instrument(ns.instrument)
    except UnknownInstrumentError as exc:
        return _fail(str(exc))
    try:
        answers = json.loads(ns.answers)
    except json.JSONDecodeError as exc:
        return _fail(f"--answers is not valid JSON ({exc.msg} at character {exc.pos}): {ns.answers}")
    if not isinstance(answers, list):
        return _fail(f"--answers must be a JSON list of {len(instrument.items)} answers in item order")
    try:
        result = score_instrument(instrument, answers)
    except AnswerError as exc:
        return _fail(str(exc))
    if ns.json:
        print(json.dumps(result.to_dict(), indent=2))
        return 0
    print(f"{instrument.title} (version {instrument.version})")
    print(f"score: {result.score} of {result.max_score}")
    print(f"band: {result.band} ({result.band_range})")
    print(f"interpretation: {result.interpretation}")
    if result.taps2_substance is not None and not result.drug_evidence:
        print("drug evidence: no (tobacco or alcohol: a treatment need, never a drug case's SUD finding)")
    if result.positives:
        print(f"positive items: {', '.join(result.positives)}")
    if result.follow_up:
        print(f"follow-up: {result.follow_up}")
    print(result.caution)
    return 0


def run_show(ns: argparse.Namespace) -> int:
    from offramp.core.screening import UnknownInstrumentError, get_instrument

    try:
        instrument = get_instrument(ns.instrument)
    except UnknownInstrumentError as exc:
        return _fail(str(exc))
    print(f"{instrument.id}: {instrument.title} (version {instrument.version})")
    print(f"scoring: {instrument.scoring.description}")
    for item in instrument.items:
        options = ", ".join(f"{json.dumps(opt.value)}={opt.label}" for opt in item.options)
        flag = " [reverse-scored]" if item.reverse_scored else ""
        print(f"  {item.number}. ({item.id}) {item.text}{flag}  [{options}]")
    print("bands:")
    for band in instrument.bands:
        print(f"  {band.range_text}: {band.name} - {band.interpretation}")
    for note in instrument.notes:
        print(f"note: {note}")
    print(f"licence: {instrument.licence.note}")
    print(f"source: {instrument.source}")
    return 0


def run_list(ns: argparse.Namespace) -> int:
    from offramp.core.screening import INSTRUMENTS

    for instrument in INSTRUMENTS.values():
        print(f"{instrument.id}\t{len(instrument.items)} items\t{instrument.title}")
    return 0
