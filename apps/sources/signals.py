"""What the watcher tells the apps that depend on it.

The cases app listens and opens (or joins) editorial cases; the watcher
itself knows nothing of cases, so dependencies keep pointing one way.
Receivers run inside the transaction that stored the change: if they fail,
the change is not stored either and the check is retried.
"""

from django.dispatch import Signal

# sender=Source, change=Change
change_detected = Signal()
# sender=Source, reason=str
source_broken = Signal()
