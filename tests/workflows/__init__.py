"""Tests of the pure workflow engine and its definitions (no app, no database)."""
