"""Spam filtering: scoring a comment, the text model, the admin's word lists, their pages.

What a web process may import: `scoring` (pure), `signals` (form timing, fingerprints),
`words`, `labels`, `views` and `cli` (which imports the model only inside the commands that
need it). `model`, `store` and `check` load scikit-learn and belong to the processes that
score and train: workers, the embedded default's one process, the `spam` command.
"""
