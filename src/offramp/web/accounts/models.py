"""No models of its own: users and groups are Django\x27s; roles live in roles.py."""
