"""The Django project: settings, URLs and one app per bounded area. Thin over offramp.core."""
