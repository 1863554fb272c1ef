"""The JSON API for blogs that embed Samtal (views, described in openapi.py), the embed script
(embed.py), and staff bearer tokens (tokens.py, the `tokens` command)."""
