"""Mutation-testing companions of actions.py (README "Mutation testing")."""
