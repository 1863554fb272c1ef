"""Webhooks: signed JSON POSTs to the endpoints admins register, once per event and endpoint.

`events` is the one list of events and the functions the domains call where each happens
(the comment lifecycle, posting, organisations' answers); they write a delivery row per
subscribed endpoint in the event's own transaction. `delivery` sends a row (the task
`samtal.deliver_webhook`, queue `webhooks`), retries it and sweeps up rows a lost task left
behind. `addresses` keeps endpoints off private networks; `signature` is the HMAC a receiver
checks. The staff pages are `views` (admins only).
"""
