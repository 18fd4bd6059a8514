"""What the webhooks app tells others, so it never imports them (the project's metrics answer).

``attempts_recorded(ok, failed, given_up)``: a round of POSTs was settled and committed: ``ok``
answered 2xx, ``failed`` did not (each retried later unless given up), ``given_up`` deliveries
ran out of retries. Sent after the commit, outside any transaction; receivers must be quick.
"""

from django.dispatch import Signal

attempts_recorded = Signal()
