"""Pin analytics (issue 27): Pinterest's daily metrics of every published pin and every account,
kept beyond Pinterest's 90 days, and the API that reads them.

It reads publishing (pins, projects) and pinterest (connections, boards, the client through
``pinterest.services``); nothing imports it (the project's URLconf includes ``analytics.urls``
by name, ``setup_schedules`` finds its schedule through the app registry).
"""
