"""Every public function of every services module, classified for the audit trail (issue 29).

``test_completeness`` finds the functions (``*/services.py`` and ``*/services/**``); each must be
named here once:

- ``READS``: writes nothing (a read, a check, a computation, a lock);
- ``NOT_AUDITED``: writes only bookkeeping that is not a person's, key's or job's change to a pin,
  project, board choice, connection, key, webhook, member or setting (the engine's pacing, use
  counters, the webhooks outbox and deliveries, Pinterest's metrics); the reason is the value;
- ``COVERED``: writes only through another catalogued function whose recipe proves its event
  (the value names it);
- ``RECIPES`` (in ``recipes.py``): called, and its audit row asserted (actor, action, before/after).
"""

READS = {
    "autopilot.services.demo.autopilot_demo_status",
    "autopilot.services.images.article_images_download", "autopilot.services.images.image_fetch",  # fetch only
    "accounts.services.invitations.accept_path", "accounts.services.invitations.invitation_for_token",
    "accounts.services.invitations.token_hash",
    "analytics.services.lease.already_syncing_message", "analytics.services.lease.sync_running",
    "analytics.services.rollup.week_of",
    "designs.services.cut_title", "designs.services.design_render", "designs.services.template_problem",
    "feeds.services.polling.backoff", "feeds.services.polling.lease_seconds",
    "publishing.services.content.review.pin_review_check", "publishing.services.members.last_owner_problem",
    "analytics.services.windows.fetch_window", "analytics.services.windows.final_through",
    "apikeys.services.api_key_authenticate",  # judges a key; its use is api_key_mark_used's
    "pinterest.services.clients.client_config", "pinterest.services.clients.endpoint_of",
    "pinterest.services.clients.token_client",
    "pinterest.services.connect.connection_authorize_url", "pinterest.services.connect.connection_check_token",
    "pinterest.services.pacing.publish_interval", "pinterest.services.pacing.connection_next_publish_at",
    "pinterest.services.pacing.later_than",
    "pinterest.services.refresh.disconnected_message", "pinterest.services.refresh.grant_values",
    "pinterest.services.refresh.needs_refresh",
    "pinterest.services.refresh_waits.affordable", "pinterest.services.refresh_waits.refresh_retry_delay",
    "pinterest.services.refresh_waits.retry_wait",
    "pinterest.services.tokens.connection_client", "pinterest.services.tokens.reload_connection",
    "pinterest.services.verdicts.verdict_for",
    "publishing.services.connections.project_check_connection_target",
    "publishing.services.content.errors.refuse_change",
    "publishing.services.content.media.section_for",
    "publishing.services.content.pin_checks.article_for", "publishing.services.content.pin_checks.board_for",
    "publishing.services.content.pin_checks.image_name",
    "publishing.services.content.projects.project_for",
    "publishing.services.content.schedule.file_names",
    "publishing.services.demo.demo_image",
    "publishing.services.notifications.connection_health_notice",
    "publishing.services.queue_slots.account_key", "publishing.services.queue_slots.queues_lock",
    "webhooks.services.delivery.backoff", "webhooks.services.delivery.body_of",
    "webhooks.services.notifications.endpoint_disabled_message",
}

NOT_AUDITED = {
    "autopilot.services.demo.autopilot_demo_setup": "the demo's data (its rule is set through autopilot_rule_update)",
    "autopilot.services.runs.autopilot_run_open": "a run's bookkeeping row (the article's event is its creation)",
    "autopilot.services.runs.autopilot_run_claim": "an autopilot run's claim (attempts and lease)",
    "autopilot.services.runs.autopilot_runs_sweep": "reopens lost runs; their pins are recorded by pin_create",
    "accounts.services.sessions.user_session_record": "which sessions a sign-in opened (for log out everywhere)",
    "accounts.services.sessions.user_session_forget": "which sessions a sign-in opened (for log out everywhere)",
    "accounts.services.two_factor.two_factor_begin": "a secret waiting for its first code, not in use: "
                                                     "two_factor_confirm turns it on and is recorded",
    "accounts.services.two_factor.two_factor_check": "a sign-in's code: the last step used (no replay)",
    "analytics.services.lease.connection_sync_request": "queues the sync of Pinterest's metrics; no row changes",
    "analytics.services.lease.sync_lease_take": "the sync's own lease",
    "analytics.services.rollup.daily_rows_store": "Pinterest's metrics and their rollups",
    "analytics.services.rollup.pin_rows_replace": "Pinterest's metrics and their rollups",
    "analytics.services.rollup.pins_rollups_remove": "Pinterest's metrics and their rollups",
    "analytics.services.rollup.rollups_rebuild": "Pinterest's metrics and their rollups",
    "feeds.services.polling.feeds_claim_due": "the poll's lease (next_poll_at)",
    "publishing.services.notifications.pins_review_notify_owners": "an email, no row",
    "analytics.services.store.account_days_store": "Pinterest's metrics, copied",
    "analytics.services.store.pin_days_store": "Pinterest's metrics, copied",
    "analytics.services.store.connection_state": "the sync's own progress",
    "analytics.services.store.connection_state_save": "the sync's own progress",
    "analytics.services.store.pin_state_save": "the sync's own progress",
    "analytics.services.sync.connection_sync_analytics": "Pinterest's metrics, copied",
    "apikeys.services.api_key_mark_used": "a use counter (last_used_at)",
    "audit.services.audit_purge": "the retention of the trail itself",
    "pinterest.services.health.connection_health_check": "what the owners were last told (notified_health)",
    "pinterest.services.pacing.connection_take_publish_slot": "the engine's pacing, per pin",
    "pinterest.services.pacing.connection_wait_for_publish_slot": "the engine's pacing, per pin",
    "pinterest.services.pacing.connection_defer_publishing": "the engine's pacing, per pin",
    "publishing.services.content.pin_checks.files_delete": "files of a pin whose row pin_delete recorded",
    "publishing.services.demo.demo_reset": "the demo's data (make run), forgotten",
    "publishing.services.demo.demo_seed": "the demo's data (make run); its key goes through api_key_create",
    "publishing.services.notifications.connection_health_notify_owners": "an email, no row",
    "webhooks.services.delivery.deliveries_send": "the outbox's deliveries",
    "webhooks.services.delivery.deliveries_send_due": "the outbox's deliveries",
    "webhooks.services.delivery.deliveries_send_pending_soon": "the outbox's deliveries",
    "webhooks.services.delivery.delivery_redeliver": "the outbox's deliveries",
    "webhooks.services.events.event_record": "the webhooks outbox (itself a record of what happened)",
    "webhooks.services.events.event_record_batch_finished": "the webhooks outbox",
    "webhooks.services.events.event_record_connection_health": "the webhooks outbox",
    "webhooks.services.events.event_record_for_pin": "the webhooks outbox",
    "webhooks.services.notifications.endpoint_disabled_notify_owners": "an email, no row",
}

COVERED = {
    "designs.services.design_pin_create": "publishing.services.content.pins.pin_create",
    # A run's pins are made through pin_create (pin.create by the job); its own row is bookkeeping.
    "autopilot.services.runs.autopilot_run_execute": "publishing.services.content.pins.pin_create",
    "designs.services.design_pins_create": "publishing.services.content.pins.pin_create",
    "feeds.services.polling.feed_poll": "publishing.services.content.feed_articles.article_upsert_from_feed",
    "publishing.services.members.user_sessions_end": "publishing.services.members.member_remove",
    "pinterest.services.boards.connections_sync_boards": "pinterest.services.boards.boards_sync",
    "pinterest.services.connect.connection_connect_from_code": "pinterest.services.connect.connection_add_from_token",
    "pinterest.services.refresh.connections_refresh_expiring": "pinterest.services.refresh.connection_refresh_tokens",
    "pinterest.services.refresh.connections_refresh_retry_due": "pinterest.services.refresh.connection_refresh_tokens",
    "pinterest.services.tokens.connection_access_token": "pinterest.services.refresh.connection_refresh_tokens",
    "publishing.services.content.media.carousel_save": "publishing.services.content.pins.pin_update",
    "publishing.services.content.media.carousel_drop": "publishing.services.content.pins.pin_update",
    "publishing.services.content.schedule.written_then": "publishing.services.content.schedule.written_and_scheduled",
}
