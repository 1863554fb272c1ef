"""Organisations that answer in threads, proved by their e-mail domain, never by a typed name.

- `register`: the organisations and their domains (look-alikes never match).
- `verification`: holding a comment from an organisation's address until a link sent to that
  address is pressed; remembering the browser that pressed it.
- `answers`: publishing a confirmed answer, marking one by hand, inviting an organisation.
- `views`, `forms`, `cli`: the staff pages and the `orgs` command.
"""
