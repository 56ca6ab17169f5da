"""Plan fixtures live in tests/conftest.py, shared with the workflow and approvals tests."""
