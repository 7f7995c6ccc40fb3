"""Slim, proportionate reporting: the reports a grant owes, by size, and the report form."""
