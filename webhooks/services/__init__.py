"""The webhooks app's rules: endpoints, recording events in the outbox, delivering them."""
