"""Authoring: scaffold a new placement record, and append a review to an existing one.

Both write atomically, in the canonical layout (``canonical.py``, what ``aprecords fmt`` and
the web form write), comments kept: ``new`` creates a file that must not exist yet; ``review``
adds text after the last review, then lays the file out canonically, and checks that every
value recorded before is still there unchanged. Answers still to give are ``FILL IN: ...``
placeholders, which the ``placeholder-filled`` rule reports until they are replaced.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from aprecords import model
from aprecords.attendance.returns import holidays_of, in_holiday, week_list
from aprecords.attendance.reviews import ReviewPeriod, period_before
from aprecords.canonical import canonical
from aprecords.config import Config
from aprecords.errors import UsageError
from aprecords.load import LoadError, decode, load_text, parse
from aprecords.repository import RECORDS, load_config
from aprecords.schemas import Schemas

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def fill(what: str) -> str:
    """A placeholder the ``placeholder-filled`` rule reports until it is replaced."""
    return f"FILL IN: {what}"


def scalar(value: Any) -> str:
    """``value`` written as a YAML scalar that the strict loader reads back unchanged."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    if text and "\n" not in text and text == text.strip():
        try:
            if parse(f"k: {text}\n") == {"k": text}:
                return text
        except LoadError:
            pass
    dumped = yaml.dump(
        text, Dumper=yaml.CSafeDumper, default_style='"', allow_unicode=True, width=1 << 30
    )
    return dumped.strip()


# --- writing files ----------------------------------------------------------------------


def _temp_beside(target: Path, text: str) -> Path:
    """Write ``text`` to a new temporary file in the target's folder and flush it to disk."""
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    return Path(name)


def create_file(target: Path, text: str) -> None:
    """Create ``target`` with ``text`` atomically; FileExistsError if it already exists."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = _temp_beside(target, text)
    try:
        os.link(temp, target)  # fails if target exists: never overwrites
    except FileExistsError:
        raise
    except OSError:  # no hard links here: exclusive create, then write
        with open(target, "x", encoding="utf-8", newline="") as out:
            out.write(text)
    finally:
        temp.unlink(missing_ok=True)


def replace_file(target: Path, text: str, expected: bytes) -> None:
    """Replace ``target`` atomically, only if it still holds ``expected``."""
    temp = _temp_beside(target, text)
    try:
        os.chmod(temp, target.stat().st_mode & 0o7777)
        if target.read_bytes() != expected:
            raise UsageError(
                f"{target}: the file changed while the review was being added; "
                "run the command again"
            )
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)


# --- aprecords new ----------------------------------------------------------------------


@dataclass
class NewPlacement:
    """The answers `aprecords new` needs; None where not given yet."""

    school: str | None = None
    providers: list[str] = field(default_factory=list)
    pupil: str | None = None
    year: int | None = None
    requested_start: date | None = None
    completed_by: str | None = None
    completed_by_email: str | None = None
    ehcp: bool | None = None

    QUESTIONS = (
        ("school", "--school", "School id (the file name in records/schools/)"),
        ("providers", "--provider", "Provider id(s), separated by commas"),
        ("pupil", "--pupil", "Pupil's full name"),
        ("year", "--year", "Year group (7 to 13)"),
        ("requested_start", "--requested-start", "Requested start date (YYYY-MM-DD)"),
        ("completed_by", "--completed-by", "Your name (the staff member completing this)"),
        ("completed_by_email", "--completed-by-email", "Your work email"),
        ("ehcp", "--ehcp/--no-ehcp", "Does the pupil have an EHCP? (yes/no)"),
    )

    def missing(self) -> list[tuple[str, str, str]]:
        """(attribute, flag, question) for every answer not given."""
        return [q for q in self.QUESTIONS if getattr(self, q[0]) in (None, [], "")]

    def ask(
        self,
        ask: Callable[[str], str],
        check: Callable[[str, Any], None] | None = None,
    ) -> None:
        """Ask for each missing answer (``ask`` is ``input`` on a terminal), until valid.

        ``check(name, value)`` raises UsageError for an answer that reads well but is wrong
        (a school that has no record): each answer is checked as it is given.
        """
        for name, _flag, question in self.missing():
            while True:
                answer = ask(f"{question}: ").strip()
                try:
                    value = _parse_answer(name, answer)
                    if check is not None:
                        check(name, value)
                    setattr(self, name, value)
                    break
                except UsageError as exc:
                    print(f"  {exc}")


def answer_checker(root: Path) -> Callable[[str, Any], None]:
    """Checks a school or provider id against the records as soon as it is typed."""
    schemas = Schemas(root / "schema")

    def check(name: str, value: Any) -> None:
        if name == "school":
            _load_registry(root, "schools", value, schemas, "school")
        elif name == "providers":
            for ident in value:
                _load_registry(root, "providers", ident, schemas, "provider")

    return check


def _parse_answer(name: str, answer: str) -> Any:
    if not answer:
        raise UsageError("please give an answer")
    if name == "providers":
        return [p.strip() for p in answer.split(",") if p.strip()]
    if name == "year":
        if not answer.isdigit() or not 7 <= int(answer) <= 13:
            raise UsageError(f"'{answer}' is not a year group from 7 to 13")
        return int(answer)
    if name == "requested_start":
        try:
            return date.fromisoformat(answer)
        except ValueError:
            raise UsageError(f"'{answer}' is not a date in YYYY-MM-DD form") from None
    if name == "ehcp":
        if answer.lower() not in ("yes", "no", "y", "n"):
            raise UsageError("answer yes or no")
        return answer.lower().startswith("y")
    return answer


def _load_registry(root: Path, folder: str, ident: str, schemas: Schemas, kind: str) -> dict:
    """A school or provider record by id, checked; UsageError naming the known ids if absent."""
    base = root / RECORDS / folder
    file = base / f"{ident}.yaml"
    known = sorted(p.stem for p in base.glob("*.y*ml")) if base.is_dir() else []
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", ident) or not file.is_file():
        raise UsageError(
            f"there is no {kind} '{ident}' in {RECORDS}/{folder}/ (known: "
            f"{', '.join(known) or 'none yet'}); check the id, or add the {kind}'s "
            "file first"
        )
    rel = f"{RECORDS}/{folder}/{file.name}"
    try:
        doc = load_text(decode(file.read_bytes()), rel)
    except LoadError as exc:
        raise UsageError(f"{rel}:{exc.line}:{exc.column}: {exc.message}") from None
    found = schemas.check(kind, doc)
    if found:
        f = found[0]
        raise UsageError(
            f"{f.path}:{f.line}:{f.column}: {f.message}; fix the {kind} record "
            "first (run `aprecords validate`)"
        )
    return doc.data


def next_id(root: Path, school: str, year: int) -> str:
    """``<school>-<year>-<nnn>``: one more than the highest number used in the school's folder.

    Numbers are never reused, even when a record with a lower one has been deleted.
    """
    folder = root / RECORDS / "placements" / school
    pattern = re.compile(rf"^{re.escape(school)}-{year}-(\d{{3,}})$")
    numbers = [int(m.group(1)) for p in folder.glob("*.y*ml") if (m := pattern.match(p.stem))]
    return f"{school}-{year}-{max(numbers, default=0) + 1:03d}"


def _placement_lines(provider_id: str, provider: dict[str, Any]) -> list[str]:
    sites = provider["sites"]
    courses = provider.get("courses") or []
    course = courses[0] if courses else {}
    offers = (
        "; ".join(c["name"] + (f" ({c['level']})" if c.get("level") else "") for c in courses)
        or "no courses listed"
    )
    site_list = ", ".join(f"{s['id']} ({s['name']})" for s in sites)
    lines = [
        f"  - provider: {provider_id}",
        f"    # {provider['name']} offers: {offers}.",
        f"    course: {scalar(fill('the course or activity; then set the sites, sessions, hours and accreditation below to what was agreed'))}",  # noqa: E501
        f"    sites: [{sites[0]['id']}]  # every site the pupil may attend; the sites: {site_list}",
        "    sessions:  # the sessions agreed each week: monday to friday, each a list of AM, PM",
        "      # or both, e.g. tuesday: [AM, PM]; no two providers may share a session",
        f"      monday: [{scalar(fill('the days and sessions agreed: replace monday: with each day'))}]",  # noqa: E501
        "    hours_per_week: 5  # hours of education a week at this provider",
        "    arranged_by: school  # or local-authority",
        "    accreditation:",
        f"      course_length: {scalar(fill('how long the course lasts, for example one school year, a day a week'))}",  # noqa: E501
    ]
    if course.get("qualification"):
        lines.append(f"      qualification: {scalar(course['qualification'])}")
    else:
        lines.append("      # qualification: the qualification aimed for (leave out if none)")
    level = course.get("level", "none")
    lines += [
        f"      level: {level}  # entry-1, entry-2, entry-3, level-1, level-2, level-3 or none",
        f"      enrichment_only: {scalar(level == 'none')}  # true if it leads to no qualification",
        f"      progress_reporting: {scalar(fill('how and how often the provider reports progress'))}",  # noqa: E501
        f"      level_flexibility: {scalar(fill('whether and how the pupil can move up or down a level'))}",  # noqa: E501
    ]
    return lines


def render_new(
    answers: NewPlacement,
    record_id: str,
    providers: dict[str, dict[str, Any]],
    config: Config,
    made: date,
) -> str:
    """The text of a new placement record: given answers filled, the rest FILL IN."""
    a = answers
    assert a.requested_start is not None
    review_by = school_day_by(
        a.requested_start + timedelta(weeks=config.max_interval_weeks), holidays_of(config.data)
    )
    f = lambda what: scalar(fill(what))  # noqa: E731
    out = [
        f"# Commissioning agreement made with `aprecords new` on {made}.",
        "# Replace every 'FILL IN: ...' with the answer, check the values marked with notes,",
        "# then run `aprecords validate` and open a pull request. Lines starting with # are",
        "# notes for you: they can stay or go.",
        f"id: {record_id}",
        f"school: {a.school}",
        "",
        "# Header: the pupil, where they go and who completed this.",
        "student:",
        f"  name: {scalar(a.pupil)}",
        "  # upn: the pupil's 13-character UPN, if you have it",
        f"  year_group: {a.year}",
        f"  ehcp: {scalar(bool(a.ehcp))}  # true if the pupil has an EHCP",
        "  # looked_after: true if the pupil is a looked-after child",
        "placements:  # one entry per provider the pupil attends",
    ]
    for provider_id in a.providers:
        out += _placement_lines(provider_id, providers[provider_id])
    out += [
        f"requested_start: {a.requested_start.isoformat()}",
        "completed_by:",
        f"  name: {scalar(a.completed_by)}",
        f"  role: {f('your job title')}",
        f"  email: {scalar(a.completed_by_email)}",
        "# actual_start: the pupil's first day (YYYY-MM-DD); add it once the placement starts",
        "# reason: the census reason: behaviour, suspension, mental-health, physical-health,",
        "#   named-in-ehc-plan, engagement, vocational or other",
        "",
        "# Commissioning aims: completed with the provider before the placement begins.",
        "aims:",
        f"  rationale: {f('why alternative provision, and why this provision')}",
        "  profile:",
        f"    strengths: {f('what the pupil is good at and enjoys')}",
        f"    barriers: {f('what gets in the way of learning')}",
        f"    what_works: {f('approaches that help this pupil')}",
        "",
        "# Targets agreed with the hub mentor. Add T2, T3... in the same shape as T1.",
        "targets:",
        "  - id: T1",
        f"    target: {f('what the pupil is working towards, in words they would understand')}",
        "    # ehcp_outcome: true if this target is an outcome from the pupil's EHCP",
        f"    school_support: {f('what the school will do to help')}",
        f"    provider_support: {f('what the provider will do to help')}",
        "hub_mentor:  # the hub mentor who agreed the targets",
        f"  name: {f('the hub mentor')}",
        "  # email: the mentor's work email",
        "",
        "# How will this be assessed? The six standard methods; delete any that do not apply.",
        "assessment:",
        f"  methods: [{', '.join(model.ASSESSMENT_METHODS)}]",
        "",
        "# Set-up communications and agreements: details of the discussion.",
        "agreements:",
        "  rationale_and_targets_agreed:",
        "    agreed: false  # set to true, and add 'date: YYYY-MM-DD', once everyone agrees",
        "  timetable:",
        f"    school_offer: {f('what the pupil does at school the rest of the week')}",
        "  attendance:",
        "    contacts_shared: false  # true once the school's attendance contacts are shared",
        "    daily_absence_reporting: true",
        "    weekly_herringbone: true",
        "    school_code: B  # the register code the school uses: B, or K if the LA arranged it",
        "  access_arrangements:",
        f"    current: {f('exam access arrangements in place now, or None')}",
        f"    planned: {f('assessments planned for future arrangements, or None')}",
        "  wellbeing:",
        f"    friendships: {f('how the pupil is managing friendships')}",
        f"    community: {f('links with the local community')}",
        f"    mental_health: {f('how the pupil is managing their mental health')}",
        f"    support: {f('what support is in place')}",
        "  safeguarding:",
        f"    provider_needs: {f('what the provider must know to keep the pupil safe, or None')}",
        f"    information: {f('restricted background for the DSLs only, or None')}",
        f"    reporting: {f('who reports concerns, and how (phone or email)')}",
        "    dsl_details_shared: false  # true once the hub has the school's DSL details",
        "    responsibilities_understood: false  # true once DSL responsibilities are understood",
        "  send:",
        f"    information: {f('SEND information the provider needs, or None')}",
        f"    effect_on_provision: {f('how needs affect the choice of provision')}",
        "    # ehcp_targets_linked: true if the EHCP targets are linked to the provision",
        f"    upcoming_assessments: {f('new or upcoming assessments, or None')}",
        "  risks:",
        "    risk_assessment_shared: false  # true once the risk assessment is shared with the hub",
        "    covers_offsite: false  # true if it covers off-site vocational provision",
        "    strategies_apply_offsite: false  # true if the strategies still apply off-site",
        f"    transport_risks: {f('transport risks and how they are managed, or None identified')}",
        "",
        "# The first review: at most one term after the start (the latest school day allowed).",
        "next_review:",
        f"  date: {review_by.isoformat()}",
        f"  staff: {f('who will complete the review')}",
        "",
        "# Reviews are added below with `aprecords review " + record_id + "`.",
    ]
    return "\n".join(out) + "\n"


@dataclass(frozen=True)
class Written:
    """What an authoring command wrote: the path (relative to the root) and its id."""

    path: str
    record_id: str
    message: str = ""
    """What was done, where it was not simply the file written (``aprecords review``)."""
    changed: bool = True


def new_placement(root: Path, answers: NewPlacement, today: date) -> Written:
    """Check the answers, write records/placements/<school>/<id>.yaml, never overwriting."""
    missing = answers.missing()
    if missing:
        flags = ", ".join(flag for _, flag, _ in missing)
        raise UsageError(
            f"missing {flags}: give {'it' if len(missing) == 1 else 'them'} on the "
            "command line (or run the command in a terminal to be asked)"
        )
    schemas = Schemas(root / "schema")
    config = load_config(root, schemas)
    a = answers
    assert a.school and a.year and a.requested_start and a.pupil
    _load_registry(root, "schools", a.school, schemas, "school")
    providers = {
        p: _load_registry(root, "providers", p, schemas, "provider")
        for p in dict.fromkeys(a.providers)
    }
    a.providers = list(providers)
    if not 7 <= a.year <= 13:
        raise UsageError(f"--year {a.year}: the year group must be from 7 to 13")
    if not EMAIL.match(a.completed_by_email or ""):
        raise UsageError(
            f"--completed-by-email '{a.completed_by_email}' is not an email address "
            "such as name@example.org"
        )
    for name, value in (("--pupil", a.pupil), ("--completed-by", a.completed_by)):
        if not str(value).strip() or "\n" in str(value):
            raise UsageError(f"{name} needs a name on one line")
    schema = schemas.resolved("placement")
    for _ in range(5):  # another author may take the same number at the same moment
        record_id = next_id(root, a.school, a.requested_start.year)
        rel = f"{RECORDS}/placements/{a.school}/{record_id}.yaml"
        text = canonical(render_new(a, record_id, providers, config, today), rel, schema)
        try:
            create_file(root / rel, text)
        except FileExistsError:
            continue
        return Written(rel, record_id)
    raise UsageError(f"could not find a free id in {RECORDS}/placements/{a.school}/; try again")


# --- aprecords review -------------------------------------------------------------------


def find_placement(root: Path, record_id: str) -> Path:
    """The file of placement ``record_id``; UsageError if there is none or more than one."""
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", record_id):
        raise UsageError(f"'{record_id}' is not a record id (such as hollybrook-2025-001)")
    base = root / RECORDS / "placements"
    found = sorted(base.glob(f"*/{record_id}.yaml")) + sorted(base.glob(f"*/{record_id}.yml"))
    if not found:
        raise UsageError(
            f"there is no placement record '{record_id}' under {RECORDS}/placements/; "
            "check the id (it is the file name without .yaml)"
        )
    if len(found) > 1:
        raise UsageError(
            f"more than one file is named {record_id}: "
            + ", ".join(str(p.relative_to(root)) for p in found)
        )
    return found[0]


def _last_node(node: Node) -> Node:
    """The last node written inside a block collection (where its text ends)."""
    while True:
        if isinstance(node, MappingNode) and node.value and not node.flow_style:
            node = node.value[-1][1]
        elif isinstance(node, SequenceNode) and node.value and not node.flow_style:
            node = node.value[-1]
        else:
            return node


def _line_offset(text: str, line: int) -> int:
    """Offset of the start of 0-based ``line`` (len(text) past the end)."""
    pos = 0
    for _ in range(line):
        nxt = text.find("\n", pos)
        if nxt < 0:
            return len(text)
        pos = nxt + 1
    return pos


def insertion_point(text: str, rel: str) -> tuple[int, int | None]:
    """Where the new review goes: (offset, dash column), or (offset, None) to add ``reviews:``."""
    root = yaml.compose(text, Loader=yaml.CSafeLoader)
    if not isinstance(root, MappingNode) or root.flow_style:
        raise UsageError(
            f"{rel}: the record is not written as 'key: value' lines; "
            "cannot add a review to it safely"
        )
    for key, value in root.value:
        if key.value != "reviews":
            continue
        if not isinstance(value, SequenceNode) or value.flow_style or not value.value:
            line = key.start_mark.line + 1
            raise UsageError(
                f"{rel}:{line}: 'reviews:' is not a list written one entry per "
                "line ('- date: ...'); write it that way (or remove an empty "
                "'reviews: []') and run the command again"
            )
        end = _last_node(value).end_mark
        line = end.line if end.column == 0 else end.line + 1
        return _line_offset(text, line), value.start_mark.column
    return len(text), None


def _figure_lines(period: ReviewPeriod | None) -> list[str]:
    """The review's attendance figures: the register's where it covers the period."""
    if period is not None and period.covered:
        f = period.figures
        last = period.end - timedelta(days=1)
        return [
            f"    # From the attendance register, {period.start} to {last}; correct the",
            "    # register (aprecords attendance import --replace) if these are wrong:",
            f"    sessions_possible: {f.possible}",
            f"    sessions_attended: {f.attended}",
            f"    authorised_absence: {f.authorised}",
            f"    unauthorised_absence: {f.unauthorised}",
            f"    percentage: {f.rate:.1f}",
        ]
    if period is not None and period.uncovered:
        why = [
            f"    # The register has no marks for {week_list(period.uncovered)}: import the",
            "    # missing weeks and run the command again, or add the figures if you have them",
        ]
    elif period is not None and period.blank:
        why = [
            f"    # Not filled in: {period.figures.missing} timetabled session"
            f"{'s' * (period.figures.missing != 1)} in {week_list(period.blank)} "
            f"{'have' if period.figures.missing != 1 else 'has'} no mark",
            "    # in the register. Import the completed weeks and run the command again for",
            "    # this date, or add the figures if you have them",
        ]
    else:
        why = ["    # No attendance register covers this period yet."]
    return [
        *why,
        "    # (AM and PM count as one session each):",
        "    # sessions_possible: 0",
        "    # sessions_attended: 0",
        "    # authorised_absence: 0",
        "    # unauthorised_absence: 0",
        "    # percentage: 0",
    ]


def school_day_by(latest: date, holidays: Sequence[tuple[date, date]]) -> date:
    """The last school day on or before ``latest``: not a weekend, not in a holiday (a next
    review set one term on must not land in a half term)."""
    day = latest
    while day.weekday() >= 5 or in_holiday(day, holidays):
        day -= timedelta(days=1)
    return day


def _review_lines(
    data: dict[str, Any],
    when: date,
    staff: str,
    weeks: int,
    period: ReviewPeriod | None,
    holidays: Sequence[tuple[date, date]] = (),
) -> list[str]:
    """The new review as YAML lines, relative to its dash at column 0."""
    f = lambda what: scalar(fill(what))  # noqa: E731
    targets = model.current_targets(data)
    lines = [
        f"- date: {when.isoformat()}",
        f"  behaviour: {f('how the pupil has behaved at the provision since the last review')}",
        "  attendance:",
        f"    summary: {f('attendance since the last review, in a sentence or two')}",
        *_figure_lines(period),
        f"  safeguarding: {f('safeguarding queries or concerns since the last review, or None')}",
        "  progress:  # status: met, partly-met, not-met or on-track",
    ]
    for target in targets:
        tid = target["id"]
        lines += [
            f"    - target: {tid}",
            "      status: on-track",
            f"      comment: {f(f'progress on {tid} and the evidence; set its status above')}",
        ]
    lines += [
        f"  interventions: {f('what was agreed about further interventions or changes')}",
        "  # The targets after this review: each is carried on. To change one, edit it and set",
        "  # change: changed; to close it, set change: closed; to add one, copy an entry, give",
        "  # it the next id (T3...) and set change: added.",
        "  targets:",
    ]
    for target in targets:
        lines.append(f"    - id: {target['id']}")
        for key in ("target", "ehcp_outcome", "school_support", "provider_support"):
            if key in target:
                lines.append(f"      {key}: {scalar(target[key])}")
        lines.append("      change: carried")
    lines += [
        "  next_review:  # at most one term after this review",
        f"    date: {school_day_by(when + timedelta(weeks=weeks), holidays).isoformat()}",
        f"    staff: {scalar(staff)}",
    ]
    return lines


def _register(root: Path, record_id: str) -> dict[str, Any] | None:
    """The placement's attendance record data, or None when absent or unreadable."""
    file = root / RECORDS / "attendance" / f"{record_id}.yaml"
    try:
        data = load_text(decode(file.read_bytes()), file.name).data
    except (OSError, LoadError):
        return None
    return data if isinstance(data, dict) and data.get("placement") == record_id else None


def _checked_placement(root: Path, file: Path, schemas: Schemas) -> tuple[bytes, str, Any]:
    rel = file.relative_to(root).as_posix()
    raw = file.read_bytes()
    try:
        doc = load_text(decode(raw), rel)
    except LoadError as exc:
        raise UsageError(f"{rel}:{exc.line}:{exc.column}: {exc.message}; fix this first") from None
    found = schemas.check("placement", doc)
    if found:
        first = found[0]
        raise UsageError(
            f"{rel} is not a valid record yet ({len(found)} problem"
            f"{'s' * (len(found) != 1)}; the first: {first.line}:{first.column}: "
            f"{first.message}); run `aprecords validate` and fix it first"
        )
    return raw, rel, doc


def add_review(root: Path, record_id: str, when: date, staff: str | None = None) -> Written:
    """Append one review to the record's ``reviews:`` list as text, keeping every line."""
    schemas = Schemas(root / "schema")
    config = load_config(root, schemas)
    file = find_placement(root, record_id)
    raw, rel, doc = _checked_placement(root, file, schemas)
    data = doc.data
    start = model.parse_date(data.get("actual_start"))
    if start is None:
        raise UsageError(
            f"{rel}: there is no actual_start yet; add the date the placement "
            "started before recording a review"
        )
    if when < start:
        raise UsageError(f"the review date {when} is before the placement started ({start})")
    recorded = model.reviews(data)
    latest = model.parse_date(recorded[-1]["date"]) if recorded else None
    if latest is not None and when == latest:
        return _complete_review(root, record_id, file, (raw, rel, doc), config, schemas)
    if latest is not None and when < latest:
        raise UsageError(
            f"the review date {when} is before the latest review ({latest}); "
            "reviews are added in date order"
        )
    if not model.current_targets(data):
        raise UsageError(
            f"{rel}: no target is in force (all were closed at the latest review); "
            "a review needs at least one target"
        )
    text = doc.text
    newline = "\r\n" if "\r\n" in text else "\n"
    pos, column = insertion_point(text, rel)
    period = period_before(
        data, _register(root, record_id), when, holidays_of(config.data), latest or start
    )
    lines = _review_lines(
        data,
        when,
        staff or model.next_review(data)["staff"],
        config.max_interval_weeks,
        period,
        holidays_of(config.data),
    )
    note = [f"# Review of {when}, added with `aprecords review`: replace every 'FILL IN'."]
    if column is None:
        block = ["reviews:", *("  " + line for line in note + lines)]
    else:
        block = [" " * column + line for line in note + lines]
    prefix = text[:pos]
    if prefix and not prefix.endswith("\n"):
        prefix += newline
    new_text = prefix + newline.join(block) + newline + text[pos:]
    _check_appended(data, new_text, rel, len(recorded))
    new_text = canonical(new_text, rel, schemas.resolved("placement"))
    _check_appended(data, new_text, rel, len(recorded))
    replace_file(file, new_text, raw)
    return Written(rel, record_id)


def _check_appended(old: dict[str, Any], new_text: str, rel: str, count: int) -> None:
    """The new text must hold exactly the old data plus one review at the end."""
    try:
        new = load_text(new_text, rel).data
    except LoadError as exc:
        new = {"error": exc}
    rest_old = {k: v for k, v in old.items() if k != "reviews"}
    rest_new = {k: v for k, v in new.items() if k != "reviews"}
    reviews = new.get("reviews") if isinstance(new.get("reviews"), list) else []
    if rest_old != rest_new or len(reviews) != count + 1 or reviews[:-1] != old.get("reviews", []):
        raise UsageError(
            f"{rel}: the file is laid out in a way `aprecords review` does not "
            "expect, so it was left unchanged; add the review by hand (copy the "
            "previous one to the end of reviews:)"
        )


def _complete_review(
    root: Path,
    record_id: str,
    file: Path,
    checked: tuple[bytes, str, Any],
    config: Config,
    schemas: Schemas,
) -> Written:
    """The latest review has ``when``'s date: fill its figures in if it lacks them."""
    from aprecords.reviewcomplete import complete

    raw, rel, doc = checked
    recorded = model.reviews(doc.data)
    review = recorded[-1]
    when = model.parse_date(review["date"])
    previous = model.parse_date(recorded[-2]["date"]) if len(recorded) > 1 else None
    assert when is not None
    period = period_before(
        doc.data,
        _register(root, record_id),
        when,
        holidays_of(config.data),
        previous or model.parse_date(doc.data.get("actual_start")),
    )
    done = complete(doc.text, rel, review, period, _figure_lines(period))
    if done.text is None:
        return Written(rel, record_id, done.message, changed=False)
    new_text = canonical(done.text, rel, schemas.resolved("placement"))
    replace_file(file, new_text, raw)
    return Written(rel, record_id, done.message)
