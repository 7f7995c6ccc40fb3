"""Exports: the collective's grants as open data and as spreadsheets.

Glossary
- *360Giving package*: a JSON file in the 360Giving Data Standard (version 1.4) listing the grants
  a collective has *awarded* (see :data:`grants.exports.threesixty.AWARDED_STATES`), for publishing
  to GrantNav and anyone else (:mod:`grants.exports.threesixty`).
- *360Giving prefix*: the ``360G-…`` prefix 360Giving registers for a publisher; every grant
  identifier starts with it (setting ``THREESIXTY_PREFIX``).
- *org-id*: an organisation identifier from the Organisation Identifier Standard (``GB-CHC-…`` for a
  charity in England and Wales, ``GB-COH-…`` for a company, …); where none is known, the prefix
  with our own id stands in.
- *grants CSV*: one row per grant of the collective, every state, for facilitators and reviewers
  (:mod:`grants.exports.grants_csv`).

Every CSV file the application writes goes through :mod:`grants.exports.csvfile`, which defuses
cells a spreadsheet would run as a formula.
"""
