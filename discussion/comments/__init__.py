"""A comment's life, from the POST that stores it to the state a moderator leaves it in.

- `lifecycle`: the states and the one table of allowed changes; every change and audit entry.
- `routing`: where a processed comment goes, one ordered list of rules.
- `posting`: storing a posted comment (page, widget and API alike) and queueing its work.
- `processing`: the worker's part: sanitise, score, route. Loads the spam model, so web
  processes never import it.
- `threads`: a post's threads in reading order.
- `identity`, `freshness`: commenters' keyed hashes; the thread version the caches key on.
"""
