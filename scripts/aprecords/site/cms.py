"""The web form's configuration (Sveltia CMS on the hub's site), generated from ``schema/``.

:func:`cms_config` is a pure function of the schemas and the ``cms`` settings of aprecords.yml:
labels are the schema's ``title``s (the same words CI's findings use), hints its
``description``s, enumerations become selects, ``YYYY-MM-DD`` dates a date picker writing that
text, and the fields come in the schema's ``properties`` order, which is the order Sveltia writes
the keys in. What the form cannot express (``anyOf``, ``if``/``then``, ``uniqueItems`` of
objects, cross-record rules) CI keeps checking on the merge request. The configuration holds no
record data, only schema-derived words and the repository's coordinates.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from aprecords.formlabels import field_label
from aprecords.schemas import Schemas

SHORT_TEXT = frozenset(
    {"name", "role", "staff", "by", "course", "qualification", "course_length", "reference"}
)
"""Free-text keys answered in a few words: one-line inputs (every other answer is a text area;
both write a one-line answer the same way)."""
DATE_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
YAML_OUTPUT = {"indent_size": 2, "indent_sequences": True, "quote": "none"}
"""Sveltia's own defaults, spelt out: ``aprecords fmt`` writes exactly this layout."""
COLLECTIONS = (
    # (name, schema kind, label, folder, path, identifier field, summary)
    ("placements", "placement", "Agreements", "records/placements", "{{school}}/{{id}}", "id",
     "{{id}}"),
    ("schools", "school", "Schools", "records/schools", "{{id}}", "id", "{{name}}"),
    ("providers", "provider", "Providers", "records/providers", "{{id}}", "id", "{{name}}"),
    ("attendance", "attendance", "Attendance registers", "records/attendance", "{{placement}}",
     "placement", "{{placement}}"),
)  # fmt: skip
GITLAB_COM = "https://gitlab.com"
YES_NO = ({"label": "Yes", "value": True}, {"label": "No", "value": False})


def _options(values: list[Any]) -> list[Any]:
    return [v for v in values if v is not None]


def _pattern(node: dict[str, Any]) -> list[str] | None:
    pattern = node.get("pattern")
    if not isinstance(pattern, str):
        return None
    message = node.get("x-hint") or "Check the format of this answer."
    return [pattern, str(message)]


def field(name: str, node: dict[str, Any], required: bool) -> dict[str, Any]:
    """One form field for the schema ``node`` of the key ``name``."""
    out: dict[str, Any] = {"name": name, "label": field_label(name, node)}
    if node.get("description"):
        out["hint"] = str(node["description"])
    if not required:
        out["required"] = False
    kind = node.get("type")
    if "enum" in node:
        out |= {"widget": "select", "options": _options(node["enum"])}
    elif kind == "boolean" and required:
        out["widget"] = "boolean"
    elif kind == "boolean":  # unanswered stays unanswered (a switch would write false)
        out |= {"widget": "select", "options": list(YES_NO)}
    elif kind in ("integer", "number"):
        out |= {"widget": "number", "value_type": "int" if kind == "integer" else "float"}
        for key, target in (("minimum", "min"), ("maximum", "max")):
            if key in node:
                out[target] = node[key]
    elif kind == "object":
        wanted = set(node.get("required", []))
        props = node.get("properties", {})
        out |= {"widget": "object", "fields": [field(k, v, k in wanted) for k, v in props.items()]}
    elif kind == "array":
        out |= _list(node)
    elif node.get("format") == "date" or node.get("pattern") == DATE_PATTERN:
        out |= {"widget": "datetime", "format": "YYYY-MM-DD", "time_format": False}
        if node.get("x-hint"):
            out.setdefault("hint", str(node["x-hint"]))
    else:
        pattern = _pattern(node)
        one_line = name in SHORT_TEXT or (pattern and pattern[0] != "\\S") or "format" in node
        out["widget"] = "string" if one_line else "text"
        if pattern:
            out["pattern"] = pattern
    return out


def _list(node: dict[str, Any]) -> dict[str, Any]:
    items = node.get("items") if isinstance(node.get("items"), dict) else {}
    out: dict[str, Any] = {}
    if "enum" in items and node.get("uniqueItems"):
        out |= {"widget": "select", "multiple": True, "options": _options(items["enum"])}
    elif items.get("type") == "object":
        wanted = set(items.get("required", []))
        props = items.get("properties", {})
        out |= {"widget": "list", "fields": [field(k, v, k in wanted) for k, v in props.items()]}
        if items.get("title"):
            out["label_singular"] = str(items["title"])
        if "id" in props:
            out["summary"] = "{{fields.id}}"
    else:
        out |= {"widget": "list", "field": field("item", items, True)}
    if "minItems" in node:
        out["min"] = node["minItems"]
    if "maxItems" in node:
        out["max"] = node["maxItems"]
    return out


def backend(settings: dict[str, Any]) -> dict[str, Any]:
    """Sveltia's ``backend`` from the ``cms`` settings of aprecords.yml."""
    name = settings["backend"]
    out: dict[str, Any] = {"name": name, "repo": settings["repo"]}
    if settings.get("branch"):
        out["branch"] = settings["branch"]
    base = str(settings.get("base_url", "")).rstrip("/")
    if name == "gitlab":
        out |= {"auth_type": "pkce", "app_id": settings["app_id"]}
        if base and base != GITLAB_COM:
            out |= {"base_url": base, "api_root": f"{base}/api/v4"}
    elif base:  # github: the OAuth helper (e.g. sveltia-cms-auth) that holds the client secret
        out["base_url"] = base
    return out


def connect_origins(settings: dict[str, Any]) -> list[str]:
    """The origins the form's browser code talks to (the Git host's API and sign-in token)."""
    if settings.get("backend") == "github":
        return ["https://api.github.com"]
    url = urlsplit(str(settings.get("base_url") or GITLAB_COM))
    return [f"{url.scheme}://{url.netloc}"]


def cms_config(schemas: Schemas, settings: dict[str, Any], site_name: str) -> dict[str, Any]:
    """The whole Sveltia configuration (a mapping to write as config.yml)."""
    collections = []
    for name, kind, label, folder, path, ident, summary in COLLECTIONS:
        schema = schemas.resolved(kind)
        wanted = set(schema.get("required", []))
        collections.append(
            {
                "name": name,
                "label": label,
                "label_singular": field_label(kind, schema),
                "folder": folder,
                "path": path,
                "extension": "yaml",
                "format": "yaml",
                "identifier_field": ident,
                "summary": summary,
                "fields": [
                    field(k, v, k in wanted) for k, v in schema.get("properties", {}).items()
                ],
            }
        )
    return {
        "app_title": f"{site_name}: web form",
        "logo": {"src": "logo.svg"},
        "backend": backend(settings),
        "publish_mode": "editorial_workflow",
        "media_folder": "records/.no-uploads",
        "output": {"omit_empty_optional_fields": True, "yaml": dict(YAML_OUTPUT)},
        "collections": collections,
    }
