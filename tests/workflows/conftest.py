"""Workflow fixtures (people, accepted) live in tests/conftest.py, shared with the notifications tests."""
