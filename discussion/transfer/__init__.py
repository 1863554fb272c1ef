"""Moving comments in and out of Samtal: other systems' files read into neutral records, and
Samtal's comments written out in formats other systems (and a later Samtal) can import.

Two layers. The format layer (``formats``, ``records``, ``bodies``) opens the file it is given
and nothing else, knows no Flask and no database, and trusts nothing it reads (bodies are turned
into the light Markdown Samtal stores and rendered by ``discussion.sanitize``). The database
side builds on it: ``importing`` (``comments import``), ``exporting`` (``comments export`` and
the admins' download in ``views``), ``origins`` (where a post's comments came from, for the
staff pages; light enough for web processes) and ``cli``.

What consumers may import:

- ``discussion.transfer.formats``: ``read(format, path)``, ``READERS``, ``guess_format(path)``,
  ``write_wxr(...)`` and ``write_samtal(...)``;
- ``discussion.transfer.records``: the records a reader returns (``Source``, ``SourceThread``,
  ``SourceComment``, ``SourcePost``, ``SourceQuestion``, ``Problem``) and ``FormatError``;
- ``discussion.transfer.bodies``: ``html_to_text`` and ``markdown_text``, for callers that
  convert a body themselves.

The per-format modules and the helpers whose names start with ``_`` are internal.
"""
