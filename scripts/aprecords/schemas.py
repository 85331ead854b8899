"""The JSON Schemas of a records repository, and schema errors as teacher-readable findings."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator, FormatChecker, validators
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from aprecords.findings import Finding, pointer
from aprecords.formlabels import trail
from aprecords.load import Document

KINDS = ("school", "provider", "placement", "config")
_TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "a mapping of keys",
    "array": "a list",
    "null": "nothing",
}


_BOUNDS = {
    "minimum": "at least",
    "maximum": "at most",
    "exclusiveMinimum": "more than",
    "exclusiveMaximum": "less than",
}


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return f"the value {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "nothing (an empty value)"


def _shown(value: Any) -> str:
    """A value as a message quotes it: text in quotes (shortened), others by kind."""
    if isinstance(value, str):
        return f"'{value[:60]}...'" if len(value) > 63 else f"'{value}'"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return str(value)
    return _kind_of(value)


@cache
def ecma_pattern(pattern: str) -> re.Pattern[str]:
    """A schema pattern compiled with ECMA-262's '$': the very end of the text only.

    Python's '$' also matches before a final line break, so ``^[0-9]{6}$`` would accept
    ``"123456\\n"``; jsonschema-rs (like every ECMA engine) does not. Each '$' outside a
    bracket expression becomes ``\\Z``.
    """
    out: list[str] = []
    i, in_class = 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "$":
            char = r"\Z"
        out.append(char)
        i += 1
    return re.compile("".join(out))


def _pattern(
    validator: Any, pattern: str, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    """The ``pattern`` keyword as ECMA-262 (and jsonschema-rs) read it."""
    if validator.is_type(instance, "string") and not ecma_pattern(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


_Validator = validators.extend(Draft202012Validator, {"pattern": _pattern})


class SchemaError(Exception):
    """The schema folder is missing or broken: a usage error."""


@dataclass
class Schemas:
    """All schemas of ``schema_dir``, resolvable by their relative ``$ref`` names."""

    schema_dir: Path

    @cached_property
    def documents(self) -> dict[str, dict[str, Any]]:
        """Every ``*.schema.json`` file, by kind name."""
        found: dict[str, dict[str, Any]] = {}
        if not self.schema_dir.is_dir():
            raise SchemaError(f"{self.schema_dir}: no schema folder; copy schema/ from aprecords")
        for file in sorted(self.schema_dir.glob("*.schema.json")):
            try:
                found[file.name.removesuffix(".schema.json")] = json.loads(file.read_text("utf-8"))
            except (OSError, ValueError) as exc:
                raise SchemaError(f"{file}: not a readable JSON schema ({exc})") from None
        return found

    def resolved(self, kind: str) -> dict[str, Any]:
        """The schema of ``kind`` with every local ``$ref`` replaced by what it points to.

        The referenced keywords are merged under the referring node's own (titles,
        descriptions, ``x-sensitivity``), so each node carries its ``x-hint`` too. Validating
        against this is about twice as fast as resolving ``$ref`` on every use, and it is the
        one place that follows references (scope walks it for sensitivity marks).
        """
        return self._resolved[kind]

    @cached_property
    def _resolved(self) -> dict[str, dict[str, Any]]:
        return {kind: self._inline(doc, kind, ()) for kind, doc in self.documents.items()}

    def _inline(self, node: Any, doc: str, seen: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [self._inline(v, doc, seen) for v in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        own = {k: self._inline(v, doc, seen) for k, v in node.items() if k != "$ref"}
        if not isinstance(ref, str) or "://" in ref:
            return node if ref is not None else own
        target_doc, _, fragment = ref.partition("#")
        target_doc = target_doc.removesuffix(".schema.json") or doc
        key = f"{target_doc}#{fragment}"
        if key in seen:  # a recursive schema: leave this reference to the registry
            return {**own, "$ref": ref}
        try:
            target: Any = self.documents[target_doc]
            for token in [t for t in fragment.split("/") if t]:
                target = target[token]
        except (KeyError, IndexError, TypeError):
            where = f"{self.schema_dir}/{doc}.schema.json"
            raise SchemaError(f"{where}: the reference '{ref}' leads nowhere") from None
        merged = self._inline(target, target_doc, (*seen, key))
        if isinstance(merged, dict):
            merged = {k: v for k, v in merged.items() if k not in ("$id", "$schema")}
            return {**merged, **own}
        return merged

    @cached_property
    def _validators(self) -> dict[str, Any]:
        resources = [
            (doc["$id"], Resource.from_contents(doc, default_specification=DRAFT202012))
            for doc in self.documents.values()
            if "$id" in doc
        ]
        registry: Registry = Registry().with_resources(resources)
        checker = FormatChecker()
        found = {}
        for kind, doc in self.documents.items():
            schema = {**self.resolved(kind), "$id": doc.get("$id", "")}
            found[kind] = _Validator(schema, registry=registry, format_checker=checker)
        return found

    def schema(self, kind: str) -> dict[str, Any]:
        """The raw schema of one kind (``placement``, ``school``...)."""
        return self.documents[kind]

    @cached_property
    def _fast(self) -> dict[str, Any]:
        """jsonschema-rs validators of the same inlined schemas, formats checked: a fast first
        pass that only answers "valid or not"; jsonschema explains the invalid ones."""
        fast = {}
        for kind in self.documents:
            try:
                fast[kind] = jsonschema_rs.Draft202012Validator(
                    self.resolved(kind), validate_formats=True
                )
            except (ValueError, jsonschema_rs.ValidationError):
                continue  # e.g. a recursive schema it cannot take: jsonschema alone checks it
        return fast

    def _surely_valid(self, kind: str, data: Any) -> bool:
        fast = self._fast.get(kind)
        if fast is None:
            return False
        try:
            return bool(fast.is_valid(data))
        except (ValueError, OverflowError, TypeError):
            return False

    def check(self, kind: str, doc: Document) -> list[Finding]:
        """Schema findings for one document, each located at its line and column."""
        try:
            validator = self._validators[kind]
        except KeyError:
            raise SchemaError(f"no schema for '{kind}' records in {self.schema_dir}") from None
        if self._surely_valid(kind, doc.data):
            return []
        errors = list(validator.iter_errors(doc.data))
        # A misspelt key is one mistake: the 'missing' field it stands for is not a second.
        meant = {
            (tuple(e.absolute_path), m)
            for e in errors
            if e.validator == "additionalProperties" and isinstance(e.instance, dict)
            for name in e.instance
            if (m := _meant_key(str(name), list(e.schema.get("properties", {}))))
        }
        findings: dict[tuple[int, int, str], Finding] = {}
        for error in errors:
            if _placeholder(error.instance) and "sessions" in error.absolute_path:
                continue  # the timetable `new` leaves to fill in: placeholder-filled says so
            if (
                error.validator == "required"
                and (
                    tuple(error.absolute_path),
                    _missing(error),
                )
                in meant
            ):
                continue
            for finding in _findings(error, doc, self.resolved(kind)):
                # minLength and pattern both reject an empty answer: say it once.
                findings.setdefault((finding.line, finding.column, finding.message), finding)
        return list(findings.values())


def _placeholder(value: object) -> bool:
    """True for a 'FILL IN: ...' answer still to give. Only in a timetable is it let through
    to the rules (which read only 'AM' and 'PM' there): anywhere else a value of the wrong
    kind could reach a rule that expects the right one, so the schema still reports it."""
    return isinstance(value, str) and value.lstrip().upper().startswith("FILL IN")


def _label(path: list[str | int]) -> str:
    parts: list[str] = []
    for token in path:
        if isinstance(token, int):
            parts.append(f"[{token + 1}]")
        else:
            parts.append(("." if parts else "") + token)
    return "".join(parts) or "the record"


def _hint(error: ValidationError) -> str | None:
    schema = error.schema if isinstance(error.schema, dict) else {}
    return schema.get("x-hint")


def _missing(error: ValidationError) -> str:
    """The property a ``required`` error names."""
    return str(error.message).split("'")[1] if "'" in error.message else error.message


def _meant_key(name: str, allowed: list[str]) -> str | None:
    """The field a misspelt key most likely stands for: same letters in another case or
    spacing first (``EHCP`` -> ``ehcp``), then the closest spelling."""
    folded = {_fold(a): a for a in allowed}
    if _fold(name) in folded and folded[_fold(name)] != name:
        return folded[_fold(name)]
    close = difflib.get_close_matches(name, allowed, n=1)
    return close[0] if close else None


def _fold(text: str) -> str:
    """Text compared regardless of case, spaces, hyphens and underscores."""
    return re.sub(r"[\s_-]+", "", text.casefold())


def _closest_choice(value: Any, choices: list[Any]) -> Any:
    """The choice a mistyped enumeration value stands for (``'on track'`` -> ``on-track``)."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    folded = {_fold(str(c)): c for c in choices}
    found = folded.get(_fold(str(value)))
    if found is not None and found != value:
        return found
    close = difflib.get_close_matches(str(value).casefold(), [str(c) for c in choices], n=1)
    return close[0] if close else None


_DMY = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})\s*$")


def _iso_date(value: Any) -> str | None:
    """A DD/MM/YYYY (or DD/MM/YY) date written as YYYY-MM-DD, if it is a real date."""
    found = _DMY.match(value) if isinstance(value, str) else None
    if found is None:
        return None
    day, month, year = (int(g) for g in found.groups())
    year += 2000 if year < 100 else 0
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _findings(
    error: ValidationError, doc: Document, root: dict[str, Any] | None = None
) -> list[Finding]:
    path = list(error.absolute_path)
    where = pointer(*path)
    label = _label(path)
    form = trail(root, path) if root and path and error.validator != "additionalProperties" else ""
    in_form = f" (in the web form: {form})" if form else ""  # the same titles as site/cms.py
    schema = error.schema if isinstance(error.schema, dict) else {}

    def at(message: str, ptr: str = where, key: bool = False) -> Finding:
        line, col = doc.locate(ptr, key=key)
        message += in_form
        return Finding(doc.path, line, col, "error", message, f"schema-{error.validator}", ptr)

    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = list(schema.get("properties", {}))
        out = []
        for name in error.instance:
            if name in allowed:
                continue
            close = _meant_key(str(name), allowed)
            tip = f"did you mean '{close}'? " if close else ""
            choices = ", ".join(allowed)
            out.append(
                at(
                    f"'{name}' is not a field of {label}; {tip}check the spelling "
                    f"(fields here: {choices})",
                    pointer(*path, name),
                    key=True,
                )
            )
        return out
    if error.validator == "required":
        missing = _missing(error)
        title = schema.get("properties", {}).get(missing, {}).get("title")
        named = f" ({title})" if title and title.lower() != missing.replace("_", " ") else ""
        return [at(f"{label} is missing '{missing}'{named}: add it", key=True)]
    if error.validator == "type":
        wanted = (
            error.validator_value
            if isinstance(error.validator_value, list)
            else [error.validator_value]
        )
        words = " or ".join(_TYPE_WORDS.get(w, w) for w in wanted)
        tip = ""
        if "string" in wanted and isinstance(error.instance, int | float):
            tip = f"; put it in quotes: '{_shown(error.instance)}'"
        elif "string" in wanted and error.instance is None:
            tip = "; write the answer after the colon"
        elif "boolean" in wanted and isinstance(error.instance, str):
            word = error.instance.strip().casefold()
            if word in ("true", "yes", "y"):
                tip = "; write true (in lower case, without quotes)"
            elif word in ("false", "no", "n"):
                tip = "; write false (in lower case, without quotes)"
            else:
                tip = "; write true or false (yes and no are text)"
        return [at(f"{label} should be {words}, but is {_kind_of(error.instance)}{tip}")]
    if error.validator == "enum":
        choices = ", ".join(
            str(c).lower() if isinstance(c, bool) else str(c) for c in error.validator_value
        )
        value = error.instance
        if isinstance(value, str) and value in [str(c) for c in error.validator_value]:
            return [at(f"{label} is the text '{value}'; write it without quotes")]
        closest = _closest_choice(value, list(error.validator_value))
        tip = f"; did you mean {_shown(closest)}?" if closest is not None else ""
        return [at(f"{label} is {_shown(value)}, which is not one of the choices: {choices}{tip}")]
    if error.validator in ("anyOf", "oneOf") and schema.get("x-hint-anyOf"):
        return [at(f"{label}: {schema['x-hint-anyOf']}", key=True)]
    if error.validator in ("pattern", "format") and _only_line_break(error.instance, schema):
        return [
            at(
                f"{label} ends with a line break, which it cannot hold; write the value on the "
                "key's line (a '|' or '>' block, or a \\n in quotes, adds the line break)"
            )
        ]
    hint = _hint(error)
    if error.validator in ("minLength", "pattern", "format", "maxLength") and hint:
        value = error.instance if isinstance(error.instance, str) else ""
        shown = f" '{value}'" if value.strip() else ""
        iso = _iso_date(value) if "YYYY-MM-DD" in hint else None
        tip = f" Did you mean {iso}?" if iso else ""
        return [at(f"{label}{shown}: {hint}{tip}")]
    if error.validator == "minItems":
        count = error.validator_value
        return [at(f"{label} needs at least {count} entr{'y' if count == 1 else 'ies'}")]
    if error.validator == "uniqueItems":
        return [at(f"{label} lists the same value twice; keep one")]
    if error.validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        bound = f"{_BOUNDS[error.validator]} {error.validator_value}"
        return [at(f"{label} is {error.instance}; it must be {bound}")]
    if error.validator == "minProperties":
        return [at(f"{label} needs at least one entry", key=True)]
    return [at(f"{label}: {error.message}")]


def _only_line_break(value: Any, schema: dict[str, Any]) -> bool:
    """True when a text fails its pattern only for the line breaks it ends with."""
    pattern = schema.get("pattern")
    if not isinstance(value, str) or not isinstance(pattern, str) or not value.endswith("\n"):
        return False
    return bool(ecma_pattern(pattern).search(value.rstrip("\n")))
