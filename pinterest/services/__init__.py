"""Services of the pinterest app, one module per job (HackSoft style, keyword-only, typed).

- ``tokens``: the one way to a client, using a connection's token (refreshed just in
  time), refreshing tokens (daily, on demand), giving up on a token Pinterest rejected.
- ``rotation``: re-encrypting stored tokens under a new key.
- ``pacing``: at most one creation per interval per account, across every process.
- ``connect``: OAuth's code or a sandbox token to a stored connection; disconnecting.
- ``boards``: a connection's boards kept in step with Pinterest.

Reads are in ``pinterest.selectors``. Nothing here imports publishing: a caller that
wants a new connection attached to something of its own names a ``target`` and answers
``pinterest.signals``.
"""
