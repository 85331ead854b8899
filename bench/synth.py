"""Write a synthetic, valid records repository: for benchmarks, tests and big demo data sets.

    python bench/synth.py --records 10000 --out /tmp/demo [--seed 1] [--schools 20]
        [--providers 15] [--today 2026-01-10] [--site]

The result holds ``aprecords.yml``, a copy of this project's ``schema/`` (with ``--site``, also
its ``mkdocs.yml`` and ``docs/``, so ``aprecords build`` works on it), K schools, P providers
and N placement agreements with 0-3 reviews each, all valid as of ``--today`` (no error and no
warning: every next review falls after that date). The same seed gives the same files.

YAML is written by a small block-style emitter (no validation while generating), so 10,000
records take seconds. Importable: ``generate(out, records, seed=..., schools=..., providers=...)``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
SCHEMA_DIR = PROJECT / "schema"
SITE_FILES = ("mkdocs.yml", "docs")
TODAY = date(2026, 1, 10)
CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # the DfE UPN check-letter table (no I, O, S)
FULL_TIME_HOURS = 18
HOURS_PER_SESSION = 3
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
MODELINE = "# yaml-language-server: $schema={up}schema/{kind}.schema.json\n"

CONFIG = """\
# yaml-language-server: $schema=schema/config.schema.json
# A synthetic records repository written by bench/synth.py (seed {seed}). Fictional data.
organisation:
  hub: Synthetic Hub
  collaboration: Synthetic Schools Collaboration
  mis: Synthetic MIS
site_name: Synthetic alternative provision agreements ({records} placements)
review:
  max_interval_weeks: 16
  due_soon_days: 14
full_time_hours: {full_time}
retention_years: 6
max_file_bytes: 1048576
"""


class SynthError(Exception):
    """The generator cannot write where it was asked to (a usage error, exit 2)."""


# --- a small YAML emitter (block style, quoting only where YAML needs it) --------------------

_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_PLAIN = re.compile(r"^[A-Za-z(][^\n\"]*$")
_RESERVED = {"y", "n", "yes", "no", "true", "false", "on", "off", "null"}
_FLOW_ITEM = re.compile(r"^[A-Za-z0-9-]+$")


def _plain_ok(text: str) -> bool:
    return (
        bool(_PLAIN.match(text))
        and ": " not in text
        and " #" not in text
        and not text.endswith((":", " "))
        and text.lower() not in _RESERVED
    )


def scalar(value: Any) -> str:
    """One scalar as YAML text that every loader reads back as the same value."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int | float):
        return repr(value)
    if _DATE.match(value) or _plain_ok(value):
        return value
    return json.dumps(value, ensure_ascii=False)


def _text_block(value: str, indent: str) -> list[str] | None:
    """A long answer as a folded (``>-``) or literal (``|-``) block, as people write them."""
    if "\n" in value:
        if any(line != line.strip() or not line for line in value.split("\n")):
            return None
        return ["|-", *(indent + line for line in value.split("\n"))]
    if len(value) > 88 and "  " not in value and value == value.strip():
        lines = textwrap.wrap(
            value, 88 - len(indent), break_long_words=False, break_on_hyphens=False
        )
        if " ".join(lines) == value:
            return [">-", *(indent + line for line in lines)]
    return None


def _emit(node: Any, indent: str, out: list[str]) -> None:
    """Append the block-style lines of a mapping or list at ``indent``."""
    if isinstance(node, dict):
        for key, value in node.items():
            _emit_entry(f"{indent}{key}:", value, indent + "  ", out)
    else:
        for value in node:
            if isinstance(value, dict):
                first = True
                for key, item in value.items():
                    lead = f"{indent}- " if first else f"{indent}  "
                    _emit_entry(f"{lead}{key}:", item, indent + "    ", out)
                    first = False
            else:
                _emit_entry(f"{indent}-", value, indent + "  ", out)


def _emit_entry(head: str, value: Any, inner: str, out: list[str]) -> None:
    if isinstance(value, dict):
        out.append(head)
        _emit(value, inner, out)
    elif isinstance(value, list):
        if all(isinstance(v, str) and _FLOW_ITEM.match(v) for v in value):
            out.append(f"{head} [{', '.join(value)}]")
        else:
            out.append(head)
            _emit(value, inner, out)
    elif isinstance(value, str) and (block := _text_block(value, inner)):
        out.append(f"{head} {block[0]}")
        out.extend(block[1:])
    else:
        out.append(f"{head} {scalar(value)}")


def dump(data: dict[str, Any], kind: str, up: str) -> str:
    """A record file: the schema modeline, then the record in block style."""
    out: list[str] = []
    _emit(data, "", out)
    return MODELINE.format(up=up, kind=kind) + "\n".join(out) + "\n"


# --- word pools ------------------------------------------------------------------------------

FIRST = [
    "Aurelia",
    "Barnaby",
    "Cassius",
    "Delphine",
    "Ezra",
    "Florentyna",
    "Gideon",
    "Hester",
    "Ignatius",
    "Juniper",
    "Kit",
    "Leopold",
    "Marigold",
    "Nathaniel",
    "Ottoline",
    "Peregrine",
    "Quentin",
    "Rosalind",
    "Silas",
    "Tamsin",
    "Ulysses",
    "Verity",
    "Wilfred",
    "Xanthe",
    "Yorick",
    "Zinnia",
    "Amos",
    "Bryony",
    "Caspian",
    "Dulcie",
    "Emrys",
    "Fenella",
    "Gulliver",
    "Honor",
    "Isadora",
    "Jethro",
]
LAST = [
    "Applethwaite",
    "Bramblecombe",
    "Cheverton",
    "Dunnock",
    "Elderfield",
    "Foxglove",
    "Gravesend-Hale",
    "Hollowell",
    "Inglenook",
    "Juniperwood",
    "Kettleby",
    "Larkspur",
    "Merriweather",
    "Nettlefold",
    "Oakenshaw",
    "Pimblett",
    "Quillfeather",
    "Rookwood",
    "Saltmarsh",
    "Thistlewood",
    "Underhill",
    "Vexley",
    "Wrenfield",
    "Yarrowby",
    "Zennor",
    "O'Hanlon",
    "O'Dowd",
]
SYLLABLES = (
    "bram", "cor", "dell", "fen", "gar", "holm", "kes", "lorn", "mab", "nix",
    "pell", "quor", "rud", "sav", "tam", "vorn", "wend", "yarl", "zeb", "oth",
)  # fmt: skip
"""Pupils' surnames are made of these, one name per pupil (see :func:`pupil_surname`)."""
PLACES = [
    "Ashcombe",
    "Birchfield",
    "Coldharbour",
    "Dunmere",
    "Elmstead",
    "Fairholme",
    "Glenridge",
    "Harrowden",
    "Ivybridge",
    "Juniper",
    "Kingsmead",
    "Larchwood",
    "Millbrook",
    "Northgate",
    "Oakridge",
    "Pennington",
    "Queensbury",
    "Redbridge",
    "Southfield",
    "Thornbury",
    "Upton",
    "Valley",
    "Westmoor",
    "Yewdale",
]
SCHOOL_KINDS = ("Academy", "High School", "Community School", "School", "College", "Free School")
SECTORS: tuple[tuple[str, tuple[tuple[str, str, str], ...]], ...] = (
    (
        "Construction Skills",
        (
            ("Construction multi-skills", "Certificate in Construction Skills", "level-1"),
            ("Bricklaying taster", "", "entry-3"),
        ),
    ),
    (
        "Hair & Beauty",
        (
            ("Hair & Beauty", "Award in Hair and Beauty Skills", "entry-3"),
            ("Barbering skills", "", "none"),
        ),
    ),
    (
        "Motor Project",
        (
            ("Motor vehicle maintenance", "Certificate in Light Vehicle Maintenance", "entry-3"),
            ("Bike repair", "", "none"),
        ),
    ),
    (
        "Animal Care",
        (
            ("Animal care", "Certificate in Animal Care", "level-1"),
            ("Land-based studies taster", "Award in Land-Based Studies", "entry-3"),
        ),
    ),
    (
        "Catering Kitchen",
        (
            ("Catering and hospitality", "Award in Food Preparation", "level-1"),
            ("Barista skills", "", "none"),
        ),
    ),
    (
        "Sports Coaching",
        (
            ("Sports leadership", "Award in Sports Leadership", "level-1"),
            ("Fitness instructing taster", "", "entry-3"),
        ),
    ),
)
TEXT = {
    "rationale": (
        "A practical course two days a week should rebuild attendance and give the pupil a "
        "qualification to take to college.",
        "The pupil has struggled in a large school since Year 8; a small adult setting with "
        "clear routines is the best chance of keeping them in education.",
        "Vocational work matches the pupil's ambitions and gives a reason to attend school on "
        "the other days.",
        "After a managed move, a fresh start in a practical setting should reduce conflict and "
        "keep the pupil on track for Year 11.",
    ),
    "strengths": (
        "Practical and hard-working when interested.",
        "Kind, funny and good with adults.",
        "Creative; takes pride in finished work.",
        "Reliable once settled.",
    ),
    "barriers": (
        "Anxiety in busy places.",
        "Low attendance since Year 8.",
        "Struggles with written work.",
        "Reacts badly to being told off in front of others.",
    ),
    "what_works": (
        "Short clear instructions and a named adult.",
        "Movement breaks and praise in private.",
        "Knowing the plan for the day in advance.",
    ),
    "target": (
        "Attend at least 90% of placement sessions.",
        "Complete the first unit of the course.",
        "Arrive on time for every session.",
        "Manage breaks by asking rather than walking out.",
        "Keep up English and maths at school.",
    ),
    "school_support": (
        "Attendance officer calls home on any absence.",
        "Mentor meets the pupil weekly.",
        "Portfolio time with a teaching assistant.",
    ),
    "provider_support": (
        "Registers by 9:15 and calls the school on any absence.",
        "One-to-one coaching on written tasks.",
        "Photo evidence of practical work.",
    ),
    "behaviour": (
        "Good; no incidents.",
        "Mostly good, one warning for phone use.",
        "Settled well; staff are pleased.",
        "Two incidents early on, none since.",
    ),
    "summary": (
        "Good attendance.",
        "Some absences for illness.",
        "Below target; follow-up agreed with the family.",
        "Full attendance.",
    ),
    "safeguarding": ("None.", "No concerns.", "Nothing new; plan as agreed."),
    "comment": (
        "Progress as expected.",
        "Half the unit evidenced.",
        "Better than last term.",
        "Needs more support with written work.",
    ),
    "interventions": (
        "None needed; keep the current timetable.",
        "Mentor to check in after half term.",
        "Welfare officer to make a home visit.\nReview the timetable at the next meeting.",
    ),
}
STATUSES = ("met", "partly-met", "not-met", "on-track")
STANDARDS = (
    "dbs_scr", "child_protection_policy", "behaviour_policy", "dsl", "health_and_safety",
    "first_aid", "fire_safety", "insurance", "induction", "attendance", "la_approved_list",
    "qa_visit",
)  # fmt: skip
"""The national standards' keys in a provider's ``standards`` (aprecords/standards.py)."""
REASONS = ("behaviour", "mental-health", "physical-health", "engagement", "vocational", "other")
METHODS = [
    "weekly-attendance",
    "mentor-feedback",
    "daily-concerns",
    "termly-review",
    "termly-reporting",
    "intervention-advice",
]


def upn(rng: random.Random) -> str:
    """A valid UPN: check letter + LA code + establishment + year + serial."""
    body = f"{rng.randint(201, 943)}{rng.randint(1000, 7999)}{rng.randint(10, 25)}" + (
        f"{rng.randint(1, 999):03d}"
    )
    total = sum(w * int(c) for w, c in enumerate(body, start=2))
    return CHECK_LETTERS[total % 23] + body


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _person(rng: random.Random, domain: str, role: str, phone: int) -> dict[str, str]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    title = rng.choice(("Mr", "Ms", "Mrs", "Dr"))
    return {
        "name": f"{title} {first} {last}",
        "role": role,
        "email": f"{first[0].lower()}.{_slug(last)}@{domain}",
        "phone": f"01632 960{phone % 1000:03d}",
    }


def _address(rng: random.Random) -> dict[str, Any]:
    return {
        "lines": [f"{rng.randint(1, 99)} {rng.choice(PLACES)} Road", rng.choice(PLACES)],
        "postcode": f"ZZ{rng.randint(90, 99)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJ')}"
        f"{rng.choice('ABDEFGHJ')}",
    }


# --- registries ------------------------------------------------------------------------------


def _names(rng: random.Random, count: int, kinds: tuple[str, ...]) -> list[str]:
    combos = [f"{p} {k}" for p in PLACES for k in kinds]
    rng.shuffle(combos)
    return [
        combos[i % len(combos)] + (f" {i // len(combos) + 1}" if i >= len(combos) else "")
        for i in range(count)
    ]


def make_schools(rng: random.Random, count: int) -> list[dict[str, Any]]:
    """School registry records with unique ids, URNs and LAESTABs."""
    schools = []
    for i, name in enumerate(_names(rng, count, SCHOOL_KINDS)):
        domain = f"{_slug(name).replace('-', '')}.example.org"
        schools.append(
            {
                "id": _slug(name),
                "name": name,
                "urn": f"{100000 + i}",
                "laestab": f"{rng.randint(201, 943)}{4000 + i % 6000:04d}",
                "address": _address(rng),
                "dsl": _person(rng, domain, "Designated safeguarding lead", 2 * i),
                "safeguarding_email": f"safeguarding@{domain}",
                "attendance_contacts": [_person(rng, domain, "Attendance officer", 2 * i + 1)],
            }
        )
    return schools


def make_providers(rng: random.Random, count: int, today: date) -> list[dict[str, Any]]:
    """Provider records: two in three registered; one to three sites; courses by sector."""
    providers: list[dict[str, Any]] = []
    used: set[str] = set()
    for i in range(count):
        sector, courses = SECTORS[i % len(SECTORS)]
        at = i * 7 + rng.randrange(len(PLACES))
        while (name := f"{PLACES[at % len(PLACES)]} {sector}") in used:  # unique names
            at += 1
        if len(used) >= len(PLACES) * len(SECTORS):  # pragma: no cover - over 100 providers
            name = f"{name} {i + 1}"
        used.add(name)
        ident = f"{_slug(name)}-{i + 1}"
        domain = f"{ident.replace('-', '')}.example.org"
        registered = i % 3 != 2
        record: dict[str, Any] = {"id": ident, "name": name}
        record["registration"] = (
            {"status": "registered", "urn": f"{500000 + i}"}
            if registered
            else {"status": "unregistered"}
        )
        if registered and rng.random() < 0.6:
            record["ukprn"] = f"{10000000 + i}"
        record["setting_type"] = "independent-school" if registered else "unregistered-provider"
        record["sites"] = [
            {"id": f"site-{s + 1}", "name": f"{rng.choice(PLACES)} site", "address": _address(rng)}
            for s in range(rng.randint(1, 3))
        ]
        record["dsl"] = _person(rng, domain, "Designated safeguarding lead", 500 + i)
        record["safeguarding_email"] = f"safeguarding@{domain}"
        record["courses"] = [
            {"name": c, **({"qualification": q} if q else {}), "level": lvl}
            for c, q, lvl in courses
        ]
        checked = today - timedelta(days=rng.randint(30, 300))
        record["staff_checks"] = {"confirmed": checked.isoformat(), "reference": f"SC/{ident}"}
        record["qa_visit"] = (checked + timedelta(days=rng.randint(1, 29))).isoformat()
        if not registered:  # the national standards for non-school AP, all seen at the check
            seen = {"seen": checked.isoformat(), "by": "Hub quality-assurance lead"}
            record["standards"] = {key: dict(seen) for key in STANDARDS}
        providers.append(record)
    return providers


# --- placements ------------------------------------------------------------------------------


@dataclass
class _Counter:
    serials: dict[tuple[str, int], int] = field(default_factory=dict)
    pupils: int = 0

    def next_id(self, school: str, when: date) -> str:
        year = when.year if when.month >= 9 else when.year - 1
        n = self.serials[(school, year)] = self.serials.get((school, year), 0) + 1
        return f"{school}-{year}-{n:03d}"


def pupil_surname(n: int) -> str:
    """The n-th pupil's surname (n >= 0): three syllables or more, different for every n, and
    never a word of any other synthetic text. Drawing pupils' names from a small pool made
    namesakes by chance at a few hundred placements, and the leak check (rightly) failed the
    build of an audience showing a pupil whose name was also an outside pupil's."""
    n += len(SYLLABLES) ** 2  # at least three syllables
    parts = []
    while n:
        n, digit = divmod(n, len(SYLLABLES))
        parts.append(SYLLABLES[digit])
    return "".join(reversed(parts)).capitalize()


def _weekday(day: date) -> date:
    return day + timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0)


def _sessions(rng: random.Random, days: list[str], count: int) -> dict[str, list[str]]:
    chosen: dict[str, list[str]] = {}
    for day in days:
        if count <= 0:
            break
        take = ["AM", "PM"] if count >= 2 else [rng.choice(("AM", "PM"))]
        chosen[day] = take
        count -= len(take)
    return {d: chosen[d] for d in DAYS if d in chosen}


def _provision(rng: random.Random, providers: list[dict[str, Any]], la: bool) -> list[dict]:
    """One provider (sometimes two, on different days), never over 18 h at an unregistered one."""
    count = 2 if len(providers) > 1 and rng.random() < 0.15 else 1
    days = rng.sample(DAYS, 5)
    items = []
    for n, provider in enumerate(rng.sample(providers, count)):
        mine = days[:3] if count == 1 else days[n * 2 : n * 2 + 2]
        registered = provider["registration"]["status"] == "registered"
        most = min(2 * len(mine), 6 if registered else FULL_TIME_HOURS // HOURS_PER_SESSION)
        sessions = _sessions(rng, mine, rng.randint(1, most))
        course = rng.choice(provider["courses"])
        items.append(
            {
                "provider": provider["id"],
                "course": course["name"],
                "sites": [rng.choice(provider["sites"])["id"]],
                "sessions": sessions,
                "hours_per_week": HOURS_PER_SESSION * sum(len(v) for v in sessions.values()),
                "arranged_by": "local-authority" if la else "school",
                "accreditation": {
                    "course_length": rng.choice(
                        ("One school year", "Two terms", "Two school years")
                    ),
                    **(
                        {"qualification": course["qualification"]}
                        if "qualification" in course
                        else {}
                    ),
                    "level": course["level"],
                    "enrichment_only": course["level"] == "none",
                    "progress_reporting": "Half-termly progress sheet emailed to the school",
                    "level_flexibility": rng.choice(
                        ("Can move down a level if needed", "None; one level offered")
                    ),
                },
            }
        )
    return items


def _target(rng: random.Random, number: int, ehcp: bool) -> dict[str, Any]:
    return {
        "id": f"T{number}",
        "target": rng.choice(TEXT["target"]),
        "ehcp_outcome": ehcp and rng.random() < 0.5,
        "school_support": rng.choice(TEXT["school_support"]),
        "provider_support": rng.choice(TEXT["provider_support"]),
    }


def _summary(rate: float, authorised: int, unauthorised: int) -> str:
    if rate == 1:
        return "Full attendance."
    if rate >= 0.9:
        return "Good attendance; " + (
            "absences explained."
            if not unauthorised
            else "one or two unexplained absences followed up."
        )
    if unauthorised > authorised:
        return "Below target; unexplained absences followed up with the family."
    return "Below target; mostly illness and appointments, all authorised."


def _attendance(rng: random.Random, per_week: int, weeks: int) -> dict[str, Any]:
    possible = max(1, per_week * max(1, weeks - 1))
    absent = int(possible * rng.choice((0, 0, 0.05, 0.1, 0.2, 0.35)))
    authorised = rng.randint(0, absent)
    attended = possible - absent
    return {
        "summary": _summary(attended / possible, authorised, absent - authorised),
        "sessions_possible": possible,
        "sessions_attended": attended,
        "authorised_absence": authorised,
        "unauthorised_absence": absent - authorised,
        "percentage": round(100 * attended / possible, 1),
    }


def _reviews(
    rng: random.Random,
    dates: list[date],
    targets: list[dict[str, Any]],
    ehcp: bool,
    per_week: int,
    staff: str,
) -> list[dict[str, Any]]:
    """Reviews on ``dates[1:-1]`` (dates[0] the start, dates[-1] the next review)."""
    in_force = [dict(t) for t in targets]
    highest = len(targets)
    reviews = []
    for i in range(1, len(dates) - 1):
        progress = [
            {
                "target": t["id"],
                "status": rng.choice(STATUSES),
                "comment": rng.choice(TEXT["comment"]),
            }
            for t in in_force
        ]
        after = []
        open_count = len(in_force)
        for target in in_force:
            roll = rng.random()
            if roll < 0.1 and open_count > 1:
                open_count -= 1
                after.append({**target, "change": "closed"})
            elif roll < 0.2:
                after.append({**target, "target": rng.choice(TEXT["target"]), "change": "changed"})
            else:
                after.append({**target, "change": "carried"})
        if rng.random() < 0.2:
            highest += 1
            after.append({**_target(rng, highest, ehcp), "change": "added"})
        reviews.append(
            {
                "date": dates[i].isoformat(),
                "behaviour": rng.choice(TEXT["behaviour"]),
                "attendance": _attendance(rng, per_week, (dates[i] - dates[i - 1]).days // 7),
                "safeguarding": rng.choice(TEXT["safeguarding"]),
                "progress": progress,
                "interventions": rng.choice(TEXT["interventions"]),
                "targets": after,
                "next_review": {"date": dates[i + 1].isoformat(), "staff": staff},
            }
        )
        in_force = [
            {k: v for k, v in t.items() if k != "change"} for t in after if t["change"] != "closed"
        ]
    return reviews


def make_placement(
    rng: random.Random,
    school: dict[str, Any],
    providers: list[dict[str, Any]],
    counter: _Counter,
    today: date,
) -> dict[str, Any]:
    """One valid agreement: requested (10%), ended (10%) or active, with 0-3 reviews."""
    kind = rng.choices(("requested", "ended", "active"), (1, 1, 8))[0]
    reviews = 0 if kind == "requested" else rng.choices((0, 1, 2, 3), (3, 4, 3, 2))[0]
    nxt = _weekday(today + timedelta(days=rng.randint(3, 55)))
    if kind == "requested":
        requested = _weekday(today + timedelta(days=rng.randint(3, 60)))
        dates = [requested, requested + timedelta(weeks=rng.randint(6, 15))]
    else:
        dates = [nxt]
        for _ in range(reviews + 1):
            dates.insert(0, dates[0] - timedelta(weeks=rng.randint(8, 15)))
        if kind == "ended":  # the whole story moved into the past
            shift = timedelta(weeks=rng.randint(9, 40))
            dates = [d - shift for d in dates]
        requested = dates[0] - timedelta(weeks=rng.randint(0, 2))
    ehcp = rng.random() < 0.25
    la = ehcp and rng.random() < 0.2
    first, _ = rng.choice(FIRST), rng.choice(LAST)
    last = pupil_surname(counter.pupils)
    counter.pupils += 1
    domain = school["safeguarding_email"].split("@")[1]
    staff = f"{rng.choice(('Mr', 'Ms', 'Mrs'))} {rng.choice(FIRST)} {rng.choice(LAST)}"
    targets = [_target(rng, n + 1, ehcp) for n in range(rng.randint(1, 4))]
    student: dict[str, Any] = {"name": f"{first} {last}"}
    if rng.random() < 0.6:
        student["upn"] = upn(rng)
    student |= {
        "year_group": rng.choice((8, 9, 9, 10, 10, 10, 11, 11)),
        "ehcp": ehcp,
        "looked_after": rng.random() < 0.08,
    }
    items = _provision(rng, providers, la)
    data: dict[str, Any] = {
        "id": counter.next_id(school["id"], requested),
        "school": school["id"],
        "student": student,
        "placements": items,
        "requested_start": requested.isoformat(),
        "completed_by": {
            "name": staff,
            "role": "Head of Year",
            "email": f"{_slug(staff.split()[-1])}@{domain}",
        },
    }
    if kind != "requested":
        data["actual_start"] = dates[0].isoformat()
    if kind == "ended":
        ended = dates[-1] - timedelta(weeks=rng.randint(1, 3))
        data["ended"] = {
            "date": ended.isoformat(),
            "reason": "Course completed; moved on to a college place.",
        }
    data["reason"] = rng.choice(REASONS)
    unregistered = {p["id"] for p in providers if p["registration"]["status"] == "unregistered"}
    if any(item["provider"] in unregistered for item in items):  # the LA was told of it
        told = {"start": (requested - timedelta(days=7)).isoformat()}
        if kind == "ended":
            told["end"] = data["ended"]["date"]
        data["la_notified"] = told
    data["aims"] = {
        "rationale": rng.choice(TEXT["rationale"]),
        "profile": {k: rng.choice(TEXT[k]) for k in ("strengths", "barriers", "what_works")},
    }
    data["targets"] = targets
    data["hub_mentor"] = {
        "name": f"Mx {rng.choice(FIRST)} {rng.choice(LAST)}",
        "email": "mentor@hub.example.org",
    }
    data["assessment"] = {"methods": METHODS}
    data["agreements"] = _agreements(rng, dates[0], ehcp, la)
    data["next_review"] = {"date": dates[1].isoformat(), "staff": staff}
    if reviews:
        per_week = sum(len(v) for i in items for v in i["sessions"].values())
        data["reviews"] = _reviews(rng, dates, targets, ehcp, per_week, staff)
    return data


def _agreements(rng: random.Random, start: date, ehcp: bool, la: bool) -> dict[str, Any]:
    return {
        "rationale_and_targets_agreed": {
            "agreed": True,
            "date": (start - timedelta(days=3)).isoformat(),
        },
        "timetable": {"school_offer": "English, maths and science at school on the other days."},
        "attendance": {
            "contacts_shared": True,
            "daily_absence_reporting": True,
            "weekly_herringbone": True,
            "school_code": "K" if la else "B",
        },
        "access_arrangements": {
            "current": rng.choice(("None.", "25% extra time.")),
            "planned": "None planned.",
        },
        "wellbeing": {
            "friendships": "A small group of friends at school.",
            "community": rng.choice(("Plays football locally.", "Youth club.")),
            "mental_health": rng.choice(("No concerns.", "Some anxiety; improving.")),
            "support": "Weekly check-in with a mentor.",
        },
        "safeguarding": {
            "provider_needs": "None beyond the reporting procedure.",
            "information": rng.choice(("None known.", "Early help plan in place.")),
            "reporting": "Provider DSL phones the school DSL the same day.",
            "dsl_details_shared": True,
            "responsibilities_understood": True,
        },
        "send": {
            "information": "EHCP in place." if ehcp else "No SEND identified.",
            "effect_on_provision": "Small groups and practical work." if ehcp else "None.",
            "ehcp_targets_linked": ehcp,
            "upcoming_assessments": "Annual review in the spring." if ehcp else "None.",
        },
        "risks": {
            "risk_assessment_shared": True,
            "covers_offsite": True,
            "strategies_apply_offsite": True,
            "transport_risks": rng.choice(
                ("Travels by bus; route checked.", "School taxi.", "Walks; no concerns.")
            ),
        },
    }


# --- writing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """What was written."""

    out: Path
    schools: int
    providers: int
    placements: int
    attendance: int
    seconds: float


def attendance_text(data: dict[str, Any], today: date) -> str | None:
    """The register of an active placement, every week from its start whose return is due by
    ``today``; each review's figures are scaled to the sessions the register holds for its
    period and its absences marked there (I authorised, O unauthorised), so the two agree.
    Uses no rng, so the seed's other records stay as they were."""
    start = date.fromisoformat(data["actual_start"]) if "actual_start" in data else None
    if start is None or start > today or "ended" in data:
        return None
    planned = sorted(
        {
            DAYS.index(day) * 2 + (0 if half == "AM" else 1)
            for item in data["placements"]
            for day, halves in item["sessions"].items()
            for half in halves
        }
    )
    weeks: dict[date, list[str]] = {}
    sessions: list[tuple[date, date, int]] = []  # (day, week, session index)
    week = start - timedelta(days=start.weekday())
    while week + timedelta(days=7) <= today:
        weeks[week] = ["-"] * 10
        for s in planned:
            if week + timedelta(days=s // 2) >= start:
                weeks[week][s] = "/" if s % 2 == 0 else "\\"
                sessions.append((week + timedelta(days=s // 2), week, s))
        week += timedelta(days=7)
    previous = start
    for review in data.get("reviews") or []:
        when = date.fromisoformat(review["date"])
        inside = [x for x in sessions if previous <= x[0] < when]
        _match(review["attendance"], inside, weeks)
        previous = when
    lines = [
        "# yaml-language-server: $schema=../../schema/attendance.schema.json",
        f"placement: {data['id']}",
        "weeks:" if weeks else "weeks: []",
    ]
    lines += [f"  - {{week: {w}, marks: [{', '.join(m)}]}}" for w, m in weeks.items()]
    return "\n".join(lines) + "\n"


def _match(
    figures: dict[str, Any], inside: list[tuple[date, date, int]], weeks: dict[date, list[str]]
) -> None:
    """Scale a review's figures to the register's sessions and mark its absences there."""
    possible = len(inside)
    if not possible or not figures.get("sessions_possible"):
        return
    typed_absent = figures["authorised_absence"] + figures["unauthorised_absence"]
    absent = round(possible * typed_absent / figures["sessions_possible"])
    authorised = round(absent * figures["authorised_absence"] / typed_absent) if absent else 0
    for n, (_, week, s) in enumerate(inside[:absent]):
        weeks[week][s] = "I" if n < authorised else "O"
    attended = possible - absent
    figures.update(
        summary=_summary(attended / possible, authorised, absent - authorised),
        sessions_possible=possible,
        sessions_attended=attended,
        authorised_absence=authorised,
        unauthorised_absence=absent - authorised,
        percentage=round(100 * attended / possible, 1),
    )


def _check_target(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise SynthError(
            f"{out}: already exists and is not an empty folder; synth never "
            "overwrites, so give a new or empty folder"
        )


def generate(
    out: Path,
    records: int,
    *,
    seed: int = 1,
    schools: int = 20,
    providers: int = 15,
    today: date = TODAY,
    schema_dir: Path = SCHEMA_DIR,
    site: bool = False,
) -> Summary:
    """Write the synthetic repository to ``out`` (new or empty), all at once (temp + rename)."""
    if records < 0 or schools < 1 or providers < 1:
        raise SynthError("need --records >= 0, --schools >= 1 and --providers >= 1")
    if not schema_dir.is_dir():
        raise SynthError(f"{schema_dir}: no schema folder to copy")
    started = time.perf_counter()
    out = Path(out)
    _check_target(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    school_list = make_schools(rng, schools)
    provider_list = make_providers(rng, providers, today)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        (tmp / "aprecords.yml").write_text(
            CONFIG.format(seed=seed, records=records, full_time=FULL_TIME_HOURS), "utf-8"
        )
        shutil.copytree(schema_dir, tmp / "schema")
        for name in SITE_FILES if site else ():  # so that `aprecords build` works too
            source = PROJECT / name
            if source.is_dir():
                shutil.copytree(source, tmp / name)
            elif source.is_file():
                shutil.copy2(source, tmp / name)
        for folder, kind, items in (
            ("schools", "school", school_list),
            ("providers", "provider", provider_list),
        ):
            (tmp / "records" / folder).mkdir(parents=True)
            for item in items:
                (tmp / "records" / folder / f"{item['id']}.yaml").write_text(
                    dump(item, kind, "../../"), "utf-8"
                )
        counter = _Counter()
        attendance = 0
        for school in school_list:
            (tmp / "records" / "placements" / school["id"]).mkdir(parents=True)
        for _ in range(records):
            school = rng.choice(school_list)
            data = make_placement(rng, school, provider_list, counter, today)
            register = attendance_text(data, today)  # first: it aligns the review figures
            (tmp / "records" / "placements" / school["id"] / f"{data['id']}.yaml").write_text(
                dump(data, "placement", "../../../"), "utf-8"
            )
            if register is not None:
                (tmp / "records" / "attendance").mkdir(exist_ok=True)
                (tmp / "records" / "attendance" / f"{data['id']}.yaml").write_text(
                    register, "utf-8"
                )
                attendance += 1
        _check_target(out)
        os.replace(tmp, out)  # a missing or empty folder is replaced whole
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return Summary(out, schools, providers, records, attendance, time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    """Command line; exit 0 written, 2 usage (for example a non-empty --out)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--records", type=int, required=True, metavar="N", help="placement agreements to write"
    )
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="DIR",
        help="a new or empty folder to write the repository into",
    )
    parser.add_argument("--seed", type=int, default=1, help="same seed, same files (default 1)")
    parser.add_argument("--schools", type=int, default=20, metavar="K", help="default 20")
    parser.add_argument("--providers", type=int, default=15, metavar="P", help="default 15")
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=TODAY,
        help="the date the records are valid as of (default 2026-01-10)",
    )
    parser.add_argument(
        "--site",
        action="store_true",
        help="also copy mkdocs.yml and docs/, so `aprecords build` works on it",
    )
    args = parser.parse_args(argv)
    try:
        done = generate(
            args.out,
            args.records,
            seed=args.seed,
            schools=args.schools,
            providers=args.providers,
            today=args.today,
            site=args.site,
        )
    except SynthError as exc:
        print(f"synth: {exc}", file=sys.stderr)
        return 2
    print(
        f"wrote {done.placements} placements ({done.attendance} with attendance), "
        f"{done.schools} schools and {done.providers} providers to {done.out} "
        f"in {done.seconds:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
