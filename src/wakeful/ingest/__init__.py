"""Taking posts in: file replay, webhooks, and the idempotent path into the store."""
