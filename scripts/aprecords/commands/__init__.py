"""Sub-commands beyond ``validate``: each module has ``register(subparsers)``.

Add a module's ``register`` to REGISTRATIONS to make its commands appear in ``aprecords``.
"""

from __future__ import annotations

from aprecords.commands import access, attendance, authoring, calendar, fmt, site

REGISTRATIONS: list = [
    access.register,
    authoring.register,
    site.register,
    attendance.register,
    fmt.register,
    calendar.register,
]
