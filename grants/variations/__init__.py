"""Variations: a grantee asks to change an accepted grant; a facilitator or the partnership decides."""
