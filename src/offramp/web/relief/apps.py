from django.apps import AppConfig


class ReliefConfig(AppConfig):
    name = "offramp.web.relief"
    label = "relief"
    verbose_name = "Record relief and follow-up"
