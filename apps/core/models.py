from django.db import models


class Heartbeat(models.Model):
    """A round trip through the broker: queued by web or beat, stamped by a worker.

    /health/ reports the age of the newest completed one, so an operator can
    tell a stalled worker from a quiet one.
    """

    class Origin(models.TextChoices):
        WEB = "web", "web request"
        BEAT = "beat", "beat schedule"

    origin = models.CharField(max_length=8, choices=Origin.choices)
    requested_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(origin__in=["web", "beat"]),
                name="heartbeat_origin_valid",
            )
        ]

    def __str__(self) -> str:
        return f"heartbeat {self.pk} ({self.origin})"
