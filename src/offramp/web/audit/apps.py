from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "offramp.web.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from offramp.web.audit import signals  # noqa: F401 - connects the receivers
