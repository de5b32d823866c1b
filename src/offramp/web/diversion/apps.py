from django.apps import AppConfig


class DiversionConfig(AppConfig):
    name = "offramp.web.diversion"
    label = "diversion"
    verbose_name = "Diversion lifecycle"
