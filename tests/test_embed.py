"""The embed script as a file: served at /embed.js, small, and talking only to its own origin."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

EMBED = Path(__file__).resolve().parents[1] / "discussion" / "static" / "embed.js"


def test_embed_script_is_served_at_the_root_as_javascript(client):
    response = client.get("/embed.js")
    assert response.status_code == 200
    assert response.mimetype in ("text/javascript", "application/javascript")
    assert response.data == EMBED.read_bytes()
    assert "max-age=3600" in response.headers["Cache-Control"]
    assert (
        client.get("/embed.js", headers={"If-None-Match": response.headers["ETag"]}).status_code
        == 304
    )


def test_embed_script_is_under_20_kb_compressed():
    assert len(gzip.compress(EMBED.read_bytes(), compresslevel=9)) < 20 * 1024


def test_embed_script_makes_no_third_party_requests():
    """Every URL it builds starts from the origin of its own <script src>."""
    source = EMBED.read_text()
    code = re.sub(r"/\*.*?\*/", "", source, flags=re.S)
    assert not re.search(r"https?://", code)
    assert "fetch(API + path" in code and code.count("fetch(") == 1
    assert not re.search(r"\b(import|require)\s*\(", code)
