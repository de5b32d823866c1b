"""Settings for the test suite: production settings (DEBUG off) with a throwaway secret key.

pytest-django imports this before any conftest runs, so the environment is prepared here.
"""

import os
import secrets

os.environ.setdefault("SECRET_KEY", "test-" + secrets.token_hex(24))
os.environ.setdefault("DEBUG", "false")

from offramp.web.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; production uses Argon2
WHITENOISE_USE_FINDERS = True  # serve USWDS and htmx straight from node_modules in the live server
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
