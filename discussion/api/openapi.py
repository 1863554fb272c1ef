"""The OpenAPI 3 description of /api/v1, served at /api/v1/openapi.json.

Kept beside the views and checked against them by a property-based test (schemathesis): every
answer the API gives must match a response documented here, and none may be a 5xx.
"""

from __future__ import annotations

from typing import Any

from ..config import COMMENT_MAX_LENGTH, NAME_MAX_LENGTH
from ..moderation.reports import REPORT_REASONS
from .access import CSRF_HEADER, TOKEN_HEADER
from .errors import CATALOGUE
from .threads import MAX_PAGE

JSON = "application/json"
EXAMPLE_SLUG = "strateger-sokes-eller-kontaktnat"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict) -> dict:
    return {**schema, "nullable": True}


def _object(properties: dict, required: list[str] | None = None, **extra) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        **extra,
    }


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}
URL = {"type": "string", "format": "uri"}
TIME = {"type": "string", "format": "date-time"}

SCHEMAS: dict[str, dict] = {
    "Error": _object(
        {
            "error": _object(
                {
                    "status": INTEGER,
                    "code": {
                        "type": "string",
                        "description": "Stable, for programs. Codes of the API's own errors: "
                        + ", ".join(sorted(CATALOGUE))
                        + "; and for any status: bad_request, unauthorized, forbidden, "
                        "not_found, method_not_allowed, conflict, payload_too_large, "
                        "unsupported_media_type, validation_failed, rate_limited, server_error.",
                    },
                    "message": {
                        "type": "string",
                        "description": "For people, Swedish or English by Accept-Language.",
                    },
                    "detail": STRING,
                    "fields": {
                        "type": "object",
                        "description": "422: what is wrong with each field.",
                        "additionalProperties": {"type": "array", "items": STRING},
                    },
                },
                required=["status", "code", "message"],
            )
        }
    ),
    "Badge": _object(
        {
            "kind": {"type": "string", "enum": ["staff", "organisation"]},
            "role": {
                "type": "string",
                "enum": ["author", "moderator", "admin"],
                "description": "staff only: the post's author, a moderator or an admin",
            },
            "label": {
                "type": "string",
                "description": "What the writer is (Skribent, Moderator…), or the organisation's "
                "badge, in the client's language",
            },
        },
        required=["kind", "label"],
    ),
    "Comment": _object(
        {
            "id": INTEGER,
            "parent_id": _nullable(INTEGER),
            "removed": {
                "type": "boolean",
                "description": "Not shown itself; kept only as the place of its visible replies.",
            },
            "author": _nullable(STRING),
            "html": _nullable({"type": "string", "description": "Stored, sanitised HTML."}),
            "created": TIME,
            "edited": {"type": "boolean", "description": "Its writer changed the text."},
            "likes": INTEGER,
            "avatar": _nullable(URL),
            "badges": {"type": "array", "items": _ref("Badge")},
            "url": URL,
            "replies": {"type": "array", "items": _ref("Comment")},
        }
    ),
    "Question": _object(
        {
            "id": INTEGER,
            "text": STRING,
            "general": {"type": "boolean", "description": "The thread for other comments."},
            "closed": BOOLEAN,
            "comment_count": INTEGER,
            "comments": {"type": "array", "items": _ref("Comment")},
            "next": _nullable({"type": "string", "description": "Cursor of the next page."}),
            "feed": URL,
        }
    ),
    "Post": _object(
        {
            "slug": STRING,
            "title": STRING,
            "author": STRING,
            "published": {"type": "string", "format": "date"},
            "url": URL,
            "feed": URL,
            "closed": BOOLEAN,
            "comment_count": INTEGER,
            "changed": TIME,
            "limits": _object(
                {
                    "comment": {"type": "integer", "description": "Most characters in a comment"},
                    "name": {"type": "integer", "description": "Most characters in a name"},
                }
            ),
            "timezone": {"type": "string", "description": "Where shown times are local (IANA)."},
            "questions": {"type": "array", "items": _ref("Question")},
        }
    ),
    "ThreadPage": _object(
        {
            "post": STRING,
            "question_id": INTEGER,
            "comment_count": INTEGER,
            "comments": {"type": "array", "items": _ref("Comment")},
            "next": _nullable(STRING),
        }
    ),
    "Counts": _object(
        {"counts": {"type": "object", "additionalProperties": INTEGER}},
    ),
    "WriteToken": _object(
        {
            "token": STRING,
            "expires_in": {"type": "integer", "description": "Seconds."},
            "form_ts": {"type": "string", "description": "Send back as `ts` with the comment."},
            "reader": {
                "type": "string",
                "description": "This browser's signed id: keep it and send it as X-Samtal-Reader.",
            },
        }
    ),
    "NewComment": _object(
        {
            "name": {"type": "string", "maxLength": NAME_MAX_LENGTH},
            "email": {"type": "string", "format": "email", "maxLength": 254},
            "body": {"type": "string", "maxLength": COMMENT_MAX_LENGTH},
            "parent_id": _nullable(INTEGER),
            "notify": {"type": "boolean", "description": "E-mail me replies (needs email)."},
            "ts": {
                "type": "string",
                "description": "`form_ts` from the token, for the spam check.",
            },
            "website": {"type": "string", "description": "A trap field: leave it empty."},
        },
        required=["name", "body"],
    ),
    "OwnComment": _object(
        {
            "awaiting_verification": _nullable(
                {
                    "type": "string",
                    "description": "The organisation whose e-mail link the writer must follow.",
                }
            ),
            "id": INTEGER,
            "question_id": INTEGER,
            "parent_id": _nullable(INTEGER),
            "author": STRING,
            "text": {"type": "string", "description": "The text as sent."},
            "html": _nullable(STRING),
            "state": {
                "type": "string",
                "enum": ["approved", "received", "held", "pending"],
                "description": "approved: shown; received: being checked; held: waits for the "
                "writer's e-mail link; pending: waits for a moderator.",
            },
            "created": TIME,
            "edited": BOOLEAN,
            "editable_until": _nullable(
                {**TIME, "description": "Until then this browser may edit or delete it."}
            ),
        }
    ),
    "CommentCreated": _object(
        {
            "comment": _ref("OwnComment"),
            "own": {
                "type": "string",
                "description": "This browser's own comments, signed: send as X-Samtal-Own.",
            },
        }
    ),
    "Mine": _object(
        {
            "liked": {"type": "array", "items": INTEGER},
            "own": {"type": "array", "items": _ref("OwnComment")},
            "shown": {"type": "array", "items": INTEGER},
        }
    ),
    "Liked": _object({"liked": BOOLEAN, "likes": INTEGER, "reader": STRING}),
    "Edit": _object({"body": {"type": "string", "maxLength": COMMENT_MAX_LENGTH}}),
    "Edited": _object({"comment": _ref("OwnComment")}),
    "PreviewInput": _object({"body": {"type": "string", "maxLength": COMMENT_MAX_LENGTH}}),
    "Preview": _object({"html": STRING}),
    "NewReport": _object(
        {
            "reason": {"type": "string", "enum": list(REPORT_REASONS)},
            "note": {"type": "string", "maxLength": 500},
        },
        required=["reason"],
    ),
    "Reported": _object({"reported": BOOLEAN}),
    "PostInput": _object(
        {
            "title": {"type": "string", "minLength": 1, "maxLength": 300, "pattern": r"\S"},
            "author": {"type": "string", "minLength": 1, "maxLength": 120, "pattern": r"\S"},
            "date": {"type": "string", "format": "date"},
            "markdown": STRING,
            "html": STRING,
            "questions": {
                "type": "array",
                "maxItems": 50,
                "items": STRING,
                "description": "Closing questions; left out: found in the text.",
            },
        },
        required=["title", "author"],
        description="Send exactly one of markdown and html.",
    ),
}

ERRORS = {
    400: "Bad parameter, cursor or JSON",
    401: "No valid staff token",
    403: "Origin not allowed, or no valid write token",
    404: "No such post, question or comment",
    409: "Closed thread; comment not reportable or likeable, or already reported",
    413: "Body too large",
    415: "Not JSON",
    422: "A field is wrong; see error.fields",
    429: "Too many requests; see Retry-After",
}


def _answers(ok: dict[int, tuple[str, str | None]], *errors: int) -> dict:
    answers: dict[Any, Any] = {}
    for status, (description, schema) in ok.items():
        answers[str(status)] = {"description": description}
        if schema:
            answers[str(status)]["content"] = {JSON: {"schema": _ref(schema)}}
    for status in errors:
        answers[str(status)] = {
            "description": ERRORS[status],
            "content": {JSON: {"schema": _ref("Error")}},
        }
    return answers


def _cached(description: str, schema: str) -> dict:
    etag = {"ETag": {"schema": STRING}, "Last-Modified": {"schema": STRING}}
    answers = _answers({200: (description, schema), 304: ("Not modified", None)}, 400, 404)
    answers["200"]["headers"] = etag
    answers["304"]["headers"] = etag
    return answers


SLUG = {
    "name": "slug",
    "in": "path",
    "required": True,
    "schema": STRING,
    "example": EXAMPLE_SLUG,
}
QUESTION = {"name": "question_id", "in": "path", "required": True, "schema": INTEGER}
COMMENT = {"name": "comment_id", "in": "path", "required": True, "schema": INTEGER}
LIMIT = {
    "name": "limit",
    "in": "query",
    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
    "description": "Top-level comments per page (replies come with them).",
}
SORT = {
    "name": "sort",
    "in": "query",
    "schema": {"type": "string", "enum": ["oldest", "newest", "liked"]},
    "description": "Order of the top-level comments; a cursor belongs to its order. In `liked` "
    "order a comment liked between two pages may move across the cursor.",
}
READER_HEADERS = [
    {
        "name": "X-Samtal-Reader",
        "in": "header",
        "schema": STRING,
        "description": "The browser's signed id from /token (pages send a cookie instead).",
    },
    {
        "name": "X-Samtal-Own",
        "in": "header",
        "schema": STRING,
        "description": "The signed list of the browser's own comments, from a 201's `own`.",
    },
]
WRITE_HEADERS = [
    {
        "name": TOKEN_HEADER,
        "in": "header",
        "schema": STRING,
        "description": "Write token from GET /posts/{slug}/token (cross-origin pages).",
    },
    {
        "name": CSRF_HEADER,
        "in": "header",
        "schema": STRING,
        "description": "Instead of a write token, on Samtal's own pages: the form's CSRF token.",
    },
]


def _body(schema: str) -> dict:
    return {"required": True, "content": {JSON: {"schema": _ref(schema)}}}


PATHS = {
    "/posts/{slug}": {
        "get": {
            "operationId": "readPost",
            "summary": "A post, its questions and the first page of each thread",
            "parameters": [SLUG, LIMIT, SORT],
            "responses": _cached("The post", "Post"),
        },
        "put": {
            "operationId": "putPost",
            "summary": "Create or update a post from Markdown or HTML (staff)",
            "security": [{"staffToken": []}],
            "parameters": [SLUG],
            "requestBody": _body("PostInput"),
            "responses": _answers(
                {200: ("Updated", "Post"), 201: ("Created", "Post")},
                400,
                401,
                413,
                422,
            ),
        },
    },
    "/posts/{slug}/questions/{question_id}/comments": {
        "get": {
            "operationId": "readThread",
            "summary": "One page of a thread",
            "parameters": [
                SLUG,
                QUESTION,
                LIMIT,
                SORT,
                {
                    "name": "after",
                    "in": "query",
                    "schema": STRING,
                    "description": "The `next` cursor of the page before.",
                },
            ],
            "responses": _cached("A page of comments", "ThreadPage"),
        },
        "post": {
            "operationId": "postComment",
            "summary": "Post an answer, or a reply with parent_id",
            "parameters": [SLUG, QUESTION, *WRITE_HEADERS],
            "requestBody": _body("NewComment"),
            "responses": _answers(
                {201: ("Stored; `state` says whether it is shown yet", "CommentCreated")},
                400,
                403,
                404,
                409,
                413,
                415,
                422,
                429,
            ),
        },
    },
    "/posts/{slug}/token": {
        "get": {
            "operationId": "writeToken",
            "summary": "A short-lived token to write to this post",
            "parameters": [SLUG],
            "responses": _answers({200: ("The token", "WriteToken")}, 403, 404),
        }
    },
    "/comments/{comment_id}/reports": {
        "post": {
            "operationId": "reportComment",
            "summary": "Report a comment to the moderators",
            "parameters": [COMMENT, *WRITE_HEADERS],
            "requestBody": _body("NewReport"),
            "responses": _answers(
                {201: ("Reported", "Reported")}, 400, 403, 404, 409, 413, 415, 422, 429
            ),
        }
    },
    "/posts/{slug}/mine": {
        "get": {
            "operationId": "mine",
            "summary": "This browser's likes and own comments on the post (never cached)",
            "parameters": [SLUG, *READER_HEADERS],
            "responses": _answers({200: ("What this browser has", "Mine")}, 404),
        }
    },
    "/comments/{comment_id}/likes": {
        "post": {
            "operationId": "likeComment",
            "summary": "Like a comment, or take the like back (one per browser)",
            "parameters": [COMMENT, *WRITE_HEADERS, *READER_HEADERS],
            "responses": _answers(
                {200: ("Liked or not, and the count", "Liked")}, 400, 403, 404, 409, 415, 429
            ),
        }
    },
    "/comments/{comment_id}": {
        "patch": {
            "operationId": "editComment",
            "summary": "The writer changes their comment (same browser, for a while)",
            "parameters": [COMMENT, *WRITE_HEADERS, *READER_HEADERS],
            "requestBody": _body("Edit"),
            "responses": _answers(
                {200: ("Changed; checked again like a new comment", "Edited")},
                400,
                403,
                404,
                413,
                415,
                422,
            ),
        },
        "delete": {
            "operationId": "deleteComment",
            "summary": "The writer takes their comment back (same browser, for a while)",
            "parameters": [COMMENT, *WRITE_HEADERS, *READER_HEADERS],
            "responses": _answers({204: ("Deleted", None)}, 400, 403, 404),
        },
    },
    "/preview": {
        "post": {
            "operationId": "preview",
            "summary": "A text rendered exactly as it would be stored",
            "requestBody": _body("PreviewInput"),
            "responses": _answers(
                {200: ("The sanitised HTML", "Preview")}, 400, 403, 413, 415, 422, 429
            ),
        }
    },
    "/counts": {
        "get": {
            "operationId": "counts",
            "summary": "Visible comments of many posts at once (unknown slugs are left out)",
            "parameters": [
                {
                    "name": "post",
                    "in": "query",
                    "schema": {"type": "array", "items": STRING, "maxItems": 100},
                    "style": "form",
                    "explode": True,
                }
            ],
            "responses": _answers(
                {200: ("Counts by slug", "Counts"), 304: ("Not modified", None)}, 400
            ),
        }
    },
    "/openapi.json": {
        "get": {
            "operationId": "openapi",
            "summary": "This document",
            "responses": {
                "200": {
                    "description": "OpenAPI 3",
                    "content": {JSON: {"schema": {"type": "object"}}},
                }
            },
        }
    },
}


def document() -> dict:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Samtal API",
            "version": "1",
            "description": "Read a post's question threads, post comments and reports, and "
            "register posts. Reads answer ETag/Last-Modified and 304. Cross-origin use only "
            "from the origins in SAMTAL_ALLOWED_ORIGINS; writes need JSON and a write token.",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"staffToken": {"type": "http", "scheme": "bearer"}},
        },
    }
