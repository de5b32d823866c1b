from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "offramp.web.decisions"
    label = "decisions"
    verbose_name = "Charging decisions"
