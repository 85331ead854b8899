"""Tests that kill mutants of ``aprecords.textnorm`` (see README "Mutation testing")."""

from __future__ import annotations
