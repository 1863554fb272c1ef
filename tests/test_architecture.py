"""The layout keeps its promises: no import cycles, imports that flow one way, task names that
are real tasks, one state machine, and web processes that never load scikit-learn."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import select

from discussion import jobs
from discussion.comments import lifecycle
from discussion.extensions import db
from discussion.models import Comment, CommentState, Question
from tests.helpers import ROOT


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, modules: set[str] = frozenset()) -> set[str]:
    """Every module a file imports, anywhere in it (inside functions too), as absolute names.

    `from pkg import mod` names the module `pkg.mod` (when it is one of `modules`), not the
    package: Python runs pkg/__init__.py either way, but only a name taken from it ties the
    two files together.
    """
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            submodules = {f"{base}.{alias.name}" for alias in node.names} & modules
            found |= submodules
            if len(submodules) < len(node.names):
                found.add(base)
    return found


def files_of(folder: str) -> dict[str, Path]:
    return {module_name(path): path for path in (ROOT / folder).rglob("*.py")}


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each circle of imports found by a depth-first walk, as the chain of modules."""
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the walk's path, 2: done
    path: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        path.append(name)
        for other in sorted(graph.get(name, ())):
            if state.get(other) == 1:
                cycles.append(path[path.index(other) :] + [other])
            elif other not in state:
                visit(other)
        path.pop()
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)
    return cycles


def test_no_file_of_discussion_imports_another_in_a_circle():
    modules = files_of("discussion")
    graph = {
        name: {other for other in imports_of(path, set(modules)) if other in modules}
        for name, path in modules.items()
    }
    assert sum(len(edges) for edges in graph.values()) > 100  # the imports were read
    assert find_cycles(graph) == []


def test_the_cycle_finder_finds_a_circle(tmp_path):
    """The check above could fail: two files that import each other are caught."""
    (tmp_path / "a.py").write_text("from .b import x\n")
    (tmp_path / "b.py").write_text("def f():\n    from . import a\n")
    graph = {"a": {"b"}, "b": {"a"}, "c": {"a"}}
    assert find_cycles(graph) == [["a", "b", "a"]]
    assert "b" in {
        node.module
        for node in ast.walk(ast.parse((tmp_path / "a.py").read_text()))
        if isinstance(node, ast.ImportFrom)
    }


@pytest.mark.parametrize(
    "folder, forbidden",
    [
        ("discussion", "worker"),
        ("discussion", "tests"),
        ("discussion", "bench"),
        ("bench", "tests"),
    ],
)
def test_imports_flow_one_way(folder, forbidden):
    offenders = [
        str(path.relative_to(ROOT))
        for path in files_of(folder).values()
        if any(name == forbidden or name.startswith(forbidden + ".") for name in imports_of(path))
    ]
    assert offenders == []


def test_every_task_name_is_a_registered_task(app):
    import worker.tasks  # noqa: F401  registers them

    registered = set(app.extensions["celery"].tasks)
    assert set(jobs.TASKS) <= registered
    assert {name for name in registered if name.startswith("samtal.")} == set(jobs.TASKS)


# --- one state machine ---------------------------------------------------------------------


ALLOWED = [(src, dst) for src, targets in lifecycle.TRANSITIONS.items() for dst in targets]


def stored_comment(state: CommentState) -> Comment:
    question = db.session.scalar(select(Question))
    comment = Comment(post_id=question.post_id, question_id=question.id, state=state)
    comment.author_name, comment.body_raw = "A", "x"
    db.session.add(comment)
    db.session.flush()
    return comment


@pytest.mark.parametrize("from_state, to_state", ALLOWED)
def test_every_allowed_transition_is_taken_with_its_audit_entry(
    app, sample_posts, from_state, to_state
):
    with app.app_context():
        comment = stored_comment(from_state)
        decision = lifecycle.change_state(comment, to_state, action="test")
        assert comment.state == to_state
        assert (decision.from_state, decision.to_state) == (str(from_state), str(to_state))


@pytest.mark.parametrize(
    "from_state, to_state",
    [
        (CommentState.REJECTED, CommentState.RECEIVED),
        (CommentState.APPROVED, CommentState.HELD),
        (CommentState.SPAM, CommentState.PENDING),
        (CommentState.RECEIVED, CommentState.RECEIVED),
        (CommentState.DELETED, CommentState.APPROVED),
        (CommentState.REJECTED, CommentState.DELETED),
    ],
)
def test_a_transition_not_in_the_table_is_refused(app, sample_posts, from_state, to_state):
    with app.app_context():
        comment = stored_comment(from_state)
        with pytest.raises(lifecycle.IllegalTransition):
            lifecycle.change_state(comment, to_state, action="test")
        assert comment.state == from_state


def test_every_state_is_in_the_table():
    assert set(lifecycle.TRANSITIONS) == set(CommentState)
    assert all(targets <= set(CommentState) for targets in lifecycle.TRANSITIONS.values())


# --- web processes never load scikit-learn --------------------------------------------------

WEB_PROCESS = """
import re, sys, tempfile
from datetime import timedelta
from pathlib import Path

from discussion import create_app
from discussion import signing
from discussion.auth import accounts
from discussion.extensions import db
from discussion.models import (
    Comment, CommentState, EmailVerification, Question, Role, utcnow,
)
from discussion.organisations import register
from discussion.posts.importing import import_files, post_files
from discussion.demo import SAMPLE_POSTS

folder = Path(tempfile.mkdtemp())
app = create_app({
    "TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": str(folder),
    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'web.db'}",
    # A broker is configured (nothing listens there): tasks go to workers, never run here.
    "SAMTAL_BROKER_URL": "redis://127.0.0.1:9/0", "SESSION_COOKIE_SECURE": False,
    "SAMTAL_SPAM_MODEL_PATH": str(folder / "no-model-here.joblib"),
})
with app.app_context():
    db.create_all()
    import_files(post_files(SAMPLE_POSTS))
    accounts.create_user("mod@example.se", "ett långt lösenord", Role.MODERATOR)
    kommunal = register.add_organisation("Kommunal", ["kommunal.se"])
    question = db.session.query(Question).filter_by(text="Vad tror du?").first()
    waiting = Comment(post_id=question.post_id, question_id=question.id, author_name="Anna",
                      body_raw="Väntar", body_html="<p>Väntar</p>", state=CommentState.PENDING,
                      spam_score=0.1)
    held = Comment(post_id=question.post_id, question_id=question.id, author_name="Emma",
                   email="emma@kommunal.se", body_raw="Svar", body_html="<p>Svar</p>",
                   state=CommentState.HELD, spam_score=0.1)
    db.session.add_all([waiting, held])
    db.session.flush()
    link = EmailVerification(email="emma@kommunal.se", organisation=kommunal, comment=held,
                             expires_at=utcnow() + timedelta(hours=1))
    db.session.add(link)
    db.session.commit()
    token = signing.sign(signing.VERIFY, link.id)
    ids = (question.id, waiting.id, held.id)
    slug = question.post.slug

client = app.test_client()
def csrf(path):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(True)).group(1)

assert client.get("/").status_code == 200
assert client.get(f"/{slug}").status_code == 200
posted = client.post(f"/{slug}/trad/{ids[0]}",
                     data={"csrf_token": csrf(f"/{slug}"), "name": "Karin", "body": "Hej"})
assert posted.status_code == 302, posted.status_code
link_page = f"/epost/bekrafta/{token}"
confirmed = client.post(link_page, data={"csrf_token": csrf(link_page)})
assert confirmed.status_code == 302, confirmed.get_data(True)
login = client.post("/logga-in", data={"csrf_token": csrf("/logga-in"), "email": "mod@example.se",
                                       "password": "ett långt lösenord"})
assert login.status_code == 302
approved = client.post(f"/moderera/kommentar/{ids[1]}",
                       data={"csrf_token": csrf("/moderera/"), "action": "approve"})
assert approved.status_code == 302
assert client.get("/moderera/statistik?dagar=365").status_code == 200
assert client.get("/moderera/spamfilter").status_code == 200
assert client.get(f"/api/v1/posts/{slug}").status_code == 200
assert client.get("/kommentarer.atom").status_code == 200
assert client.get(f"/{slug}/kommentarer.atom").status_code == 200
with app.app_context():
    assert db.session.get(Comment, ids[1]).state == CommentState.APPROVED
    assert db.session.get(Comment, ids[2]).state == CommentState.APPROVED
print("sklearn" in sys.modules, sorted(m for m in sys.modules if m.startswith("sklearn"))[:3])
"""


def test_a_web_process_never_imports_scikit_learn():
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(WEB_PROCESS)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == "False []"
