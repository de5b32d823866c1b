"""Shared fixtures: named users per role (tests/fixtures/users.py), frozen time (tests/fixtures/clock.py)."""

pytest_plugins = ["tests.fixtures.users", "tests.fixtures.clock"]
