from django.apps import AppConfig


class VictimsConfig(AppConfig):
    name = "offramp.web.victims"
    label = "victims"
    verbose_name = "Victims and restitution"
