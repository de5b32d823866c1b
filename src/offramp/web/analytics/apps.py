from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "offramp.web.analytics"
    label = "analytics"
    verbose_name = "Analytics and disparity"
