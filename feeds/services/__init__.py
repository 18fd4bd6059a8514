"""Writes of the feeds app: a project's feeds (``feeds``), and polling them (``polling``)."""
