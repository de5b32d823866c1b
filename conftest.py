"""Shared fixtures: named users per role (tests/fixtures/users.py)."""

pytest_plugins = ["tests.fixtures.users"]
