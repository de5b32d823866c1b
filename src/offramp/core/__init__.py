"""Pure domain code: types, intake parsing, generation. Never imports Django (tests/architecture enforces it)."""
