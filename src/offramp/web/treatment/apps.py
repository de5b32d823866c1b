from django.apps import AppConfig


class TreatmentConfig(AppConfig):
    name = "offramp.web.treatment"
    label = "treatment"
    verbose_name = "Screening and 42 CFR Part 2 consent"
