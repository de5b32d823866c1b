from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "offramp.web.programs"
    label = "programs"
    verbose_name = "Program directory"
