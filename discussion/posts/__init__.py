"""Posts and their question threads: importing them, staff's edits, and finding them.

- `importing`: Markdown post files (and the API's posts) into posts with one thread per
  closing question plus "Övriga kommentarer"; re-imports update by slug.
- `editing`: a post's policy and closing, and its questions (reworded, added, hidden, moved).
- `lookups`: the post or thread a URL names, or a readable 404/409.
- `cli`: `flask --app app posts import|questions`.
"""
