"""E-mail: exactly once per event and recipient, every kind in one list, readers' choices.

- `kinds`: every kind of e-mail Samtal sends (subject, template, context) and `send`.
- `outbox`: the rows that are the e-mails, their sending, retries and the sweep.
- `subscriptions`: readers' addresses, unsubscribing, double opt-in for reply notifications.
- `notifications`: what a published comment causes (author and reply e-mails); the digest.
- `views`: the outbox pages for admins (/moderera/utkorg).
"""
