"""Moderation: staff's decisions about comments, bans, readers' reports, and the staff pages.

- `decisions`: approve, reject, spam, not spam, edits and bulk actions, each in the audit log.
- `bans`, `reports`: keeping a commenter out; readers' reports and their threshold.
- `views`, `forms`, `listings`, `labels`: the pages under /moderera and what they read and say.
"""
