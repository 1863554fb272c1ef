"""Statistics for staff at /moderera/statistik: what came in, how fast it was decided, by whom,
which questions got answers, and the spam filter's record from moderators' decisions.

`queries` holds the aggregate queries (GROUP BY in the database, on SQLite and PostgreSQL),
`charts` turns their rows into SVG geometry (pure), `views` the page and its CSV downloads.
Nothing here loads the spam model: the web process may import all of it.
"""
