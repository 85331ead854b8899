"""Tests that kill mutants of ``aprecords.site.verify`` (see README "Mutation testing")."""

from __future__ import annotations
