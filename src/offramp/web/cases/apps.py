from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "offramp.web.cases"
    label = "cases"
    verbose_name = "Cases"
