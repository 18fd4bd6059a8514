"""The planner: pages where a tenant's members compose, schedule and publish their pins.

An interface, like the API and the admin: every write goes through publishing's services (the
ones the API calls), every read through the selectors. See docs/architecture.md, "The planner".
"""
