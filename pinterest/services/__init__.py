"""Services of the pinterest app, one module per job (HackSoft style, keyword-only, typed).

- ``clients``: the one way to a ``PinterestClient``.
- ``tokens``: using a connection's token (refreshed just in time), giving up on a token
  Pinterest rejected.
- ``refresh``: refreshing tokens (daily, on demand, and the retry of refreshes that failed
  for a passing reason) under the connection's row lock.
- ``health``: spam blocks, and telling other apps once per change when a connection needs a person.
- ``rotation``: re-encrypting stored tokens under a new key.
- ``verdicts``: what a Pinterest error means for the account, as one value the caller handles.
- ``pacing``: at most one creation per interval per account, across every process.
- ``connect``: OAuth's code or a sandbox token to a stored connection; disconnecting.
- ``boards``: a connection's boards kept in step with Pinterest.

Reads are in ``pinterest.selectors``. Nothing here imports publishing: a caller that
wants a new connection attached to something of its own names a ``target`` and answers
``pinterest.signals``.
"""
