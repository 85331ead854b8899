"""Attendance: session codes, weekly records, figures, import, renderers and census export."""
