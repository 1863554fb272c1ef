"""The spam check in the app: context signals, routing by threshold, learning, the CLI."""

from __future__ import annotations

from datetime import timedelta

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from discussion.comments import identity, lifecycle
from discussion.extensions import db
from discussion.models import (
    Comment,
    CommentState,
    ModerationDecision,
    Post,
    Role,
    User,
    utcnow,
)
from discussion.spam import check, words
from discussion.spam import model as spam
from discussion.spam import signals as form_signals
from discussion.spam import store as spam_store
from discussion.spam.scoring import Thresholds
from tests.helpers import ROOT, form_fields, worded

STRATEGER = "strateger-sokes-eller-kontaktnat"
HAM = "Jag tror att Kommunal menar erfarenhet av nätverk, inte själva kontakterna."


def questions(slug: str = STRATEGER):
    post = db.session.scalar(select(Post).where(Post.slug == slug))
    return post.questions


def store(question, body, name="Anna", email=None, ip="192.0.2.1", signals=None) -> Comment:
    """A received comment, as the form would store it, without processing it yet."""
    comment = Comment(
        post_id=question.post_id,
        question_id=question.id,
        author_name=name,
        email=email,
        email_hash=identity.identity_hash(email),
        ip_hash=identity.identity_hash(ip),
        body_raw=body,
        body_fingerprint=form_signals.fingerprint(body),
        signals=signals,
    )
    db.session.add(comment)
    db.session.flush()
    return comment


def test_fingerprint_ignores_case_spacing_and_punctuation():
    fingerprint = form_signals.fingerprint
    assert fingerprint("Köp NU!!  på  www") == fingerprint("köp nu på www")
    assert form_signals.fingerprint("Köp nu") != form_signals.fingerprint("Sälj nu")


def test_form_signals_read_the_signed_timestamp_and_the_honeypot(app):
    with app.test_request_context():
        fresh = form_signals.form_signals(form_signals.form_timestamp(), "")
        assert fresh["timestamp"] == "valid"
        assert 0 <= fresh["seconds_to_post"] < 5
        assert fresh["honeypot"] is False
        assert form_signals.form_signals(None, "")["timestamp"] == "missing"
        forged = URLSafeTimedSerializer("other-key", salt="samtal.comment-form-time").dumps(0)
        assert form_signals.form_signals(forged, "")["timestamp"] == "invalid"
        assert form_signals.form_signals(None, "http://spam.example")["honeypot"] is True


def test_plain_swedish_comment_scores_low_with_only_the_model_reason(app, sample_posts):
    with app.app_context():
        comment = store(questions()[0], HAM, signals={"timestamp": "valid", "seconds_to_post": 40})
        verdict = check.check(comment)
        assert verdict.score < app.config["SAMTAL_SPAM_QUEUE_THRESHOLD"]
        assert [r.split(":")[0] for r in worded(verdict.reasons)] == ["Textmodellen"]


def test_same_text_in_other_threads_and_names_raises_the_score(app, sample_posts):
    with app.app_context():
        first, second, third = questions()[:3]
        store(first, HAM, name="Anna")
        store(second, HAM.upper(), name="Bertil")
        comment = store(third, HAM + "!", name="Anna")
        alone = check.check(store(first, "En helt annan text om nätverk."))
        verdict = check.check(comment)
        assert "Samma text finns i 2 andra trådar och under 1 andra namn" in worded(verdict.reasons)
        assert verdict.score > alone.score + 0.3


def test_fast_posting_and_missing_timestamp_are_reasons(app, sample_posts):
    app.config["SAMTAL_SPAM_MIN_SECONDS"] = 3
    with app.app_context():
        question = questions()[0]
        fast = check.check(
            store(question, HAM, signals={"timestamp": "valid", "seconds_to_post": 0.8})
        )
        assert "Skickad 0.8 s efter att formuläret visades" in worded(fast.reasons)
        missing = check.check(store(question, HAM + " igen", signals={"timestamp": "missing"}))
        assert "Formulärets tidsstämpel saknas" in worded(missing.reasons)


def test_a_filled_honeypot_is_spam(app, sample_posts):
    with app.app_context():
        verdict = check.check(store(questions()[0], HAM, signals={"honeypot": True}))
        assert verdict.score == 1.0
        assert "Det dolda fältet var ifyllt (robot)" in worded(verdict.reasons)


def test_many_comments_per_hour_from_one_ip_raise_the_score(app, sample_posts):
    app.config["SAMTAL_SPAM_MAX_PER_HOUR"] = 2
    with app.app_context():
        question = questions()[0]
        for number in range(2):
            store(question, f"Kommentar nummer {number} om nätverk", ip="198.51.100.7")
        comment = store(question, "Ännu en kommentar om nätverk", ip="198.51.100.7")
        assert "3 kommentarer senaste timmen från samma IP-adress" in worded(
            check.check(comment).reasons
        )


def test_earlier_spam_from_the_same_address_raises_the_score(app, sample_posts):
    with app.app_context():
        question = questions()[0]
        old = store(question, "Gammalt skräp", email="x@example.se", ip="203.0.113.9")
        old.state = CommentState.SPAM
        comment = store(question, HAM, email="X@example.se", ip="203.0.113.10")
        reasons = worded(check.check(comment).reasons)
        assert "Tidigare skräp från samma e-postadress: 1" in reasons
        assert not any("samma IP-adress" in reason for reason in reasons)


def test_one_query_counts_the_commenters_rate_and_history_by_each_address(app, sample_posts):
    """Rate counts the last hour only, this comment included; history counts older spam too,
    never this comment; an address or e-mail the comment lacks counts nothing."""
    app.config["SAMTAL_SPAM_MAX_PER_HOUR"] = 1
    with app.app_context():
        question = questions()[0]
        old = store(question, "Gammalt skräp", email="e@example.se", ip="203.0.113.1")
        old.state, old.created_at = CommentState.SPAM, utcnow() - timedelta(hours=2)
        store(question, "Nyss, från en annan adress", email="e@example.se", ip="203.0.113.2")
        comment = store(question, HAM, email="e@example.se", ip="203.0.113.1")
        comment.state = CommentState.SPAM  # its own state never counts as earlier spam
        assert worded(check.check(comment).reasons)[1:] == [
            "2 kommentarer senaste timmen från samma e-postadress",
            "Tidigare skräp från samma e-postadress: 1",
            "Tidigare skräp från samma IP-adress: 1",
        ]
        nameless = store(question, HAM, ip="203.0.113.3")
        assert worded(check.check(nameless).reasons)[1:] == []


def test_routing_follows_the_two_thresholds(app):
    with app.app_context():
        for score, expected in ((0.9, "spam"), (0.85, "spam"), (0.6, "pending"), (0.2, "normal")):
            assert Thresholds.from_config(app.config).route(score) == expected
        app.config["SAMTAL_SPAM_QUEUE_THRESHOLD"] = 0.95
        with pytest.raises(ValueError):
            Thresholds.from_config(app.config).route(0.5)


def post_form(client, slug, question_id, body, name="Anna", **extra):
    data = form_fields(client, f"/{slug}") | {"name": name, "body": body} | extra
    return client.post(f"/{slug}/trad/{question_id}", data=data)


def test_banned_word_sends_a_comment_to_spam_and_suspect_word_to_the_queue(
    app, client, sample_posts
):
    app.config["SAMTAL_SPAM_MIN_SECONDS"] = 0
    with app.app_context():
        words.add("Viagra", "banned")
        words.add("fotboll", "suspect")
        question_id = questions()[0].id
    post_form(client, STRATEGER, question_id, "Billig viagra här")
    post_form(client, STRATEGER, question_id, "Nätverk är som FOTBOLL: man måste träna ihop.")
    post_form(client, STRATEGER, question_id, "Fotbollslaget i stan har ett stort nätverk.")
    with app.app_context():
        banned, suspect, whole_word = db.session.scalars(select(Comment).order_by(Comment.id))
        assert banned.state == CommentState.SPAM
        assert "Förbjudet ord: viagra" in worded(banned.spam_reasons)
        assert suspect.state == CommentState.PENDING
        assert "Misstänkt ord: fotboll" in worded(suspect.spam_reasons)
        assert whole_word.state == CommentState.APPROVED
    page = app.test_client().get(f"/{STRATEGER}").get_data(as_text=True)  # not the writer
    assert "viagra" not in page
    assert "Fotbollslaget i stan" in page
    # The writer is told nothing a spammer could learn from: to them it simply waits.
    own = client.get(f"/{STRATEGER}").get_data(as_text=True)
    assert "Billig viagra här" in own and "Väntar på granskning" in own


def test_reader_form_posts_record_timing_and_a_honeypot_bot_goes_to_spam(app, client, sample_posts):
    with app.app_context():
        question_id = questions()[0].id
    post_form(client, STRATEGER, question_id, HAM)
    post_form(client, STRATEGER, question_id, "Bra skrivet!", website="http://bot.example")
    with app.app_context():
        person, bot = db.session.scalars(select(Comment).order_by(Comment.id))
        assert person.signals["timestamp"] == "valid"
        assert person.signals["honeypot"] is False
        assert bot.state == CommentState.SPAM
        assert "Det dolda fältet var ifyllt (robot)" in worded(bot.spam_reasons)


def moderator(app) -> User:
    user = User(email="mod@example.se", name="Mod", password_hash="x", role=Role.MODERATOR)
    db.session.add(user)
    db.session.flush()
    return user


SOLAR = [
    "Solcellspaneler på taket betalar sig snabbt, kontakta oss",
    "Våra solcellspaneler har bäst pris i Sverige, ring idag",
    "Solcellspaneler till din villa, vi installerar på en dag",
    "Billiga solcellspaneler med installation ingår",
    "Solcellspaneler sänker elräkningen, begär offert nu",
]
PROBE = "Solcellspaneler till villan lönar sig redan efter åtta år"


def test_retraining_on_moderators_decisions_changes_the_verdict(app, sample_posts, tmp_path):
    app.config["SAMTAL_SPAM_MODEL_PATH"] = str(tmp_path / "model.joblib")
    with app.app_context():
        queue = app.config["SAMTAL_SPAM_QUEUE_THRESHOLD"]
        before = spam_store.current()
        assert before.score(PROBE) < queue
        user = moderator(app)
        for text in SOLAR:
            comment = store(questions()[0], text)
            lifecycle.change_state(comment, CommentState.SPAM, action="spam", user=user)
        db.session.commit()
        assert len(spam_store.moderator_examples()) == len(SOLAR)
        after = spam_store.retrain()
        assert spam_store.current() is after
        assert after.version != before.version
        assert after.score(PROBE) >= queue


def test_the_latest_decision_labels_a_comment(app, sample_posts):
    with app.app_context():
        user = moderator(app)
        comment = store(questions()[0], "Omstridd text")
        lifecycle.change_state(comment, CommentState.SPAM, action="spam", user=user)
        lifecycle.change_state(comment, CommentState.APPROVED, action="not_spam", user=user)
        lifecycle.change_state(comment, CommentState.APPROVED, action="processed")
        db.session.commit()
        assert spam_store.moderator_examples() == [("Omstridd text", 0)]


def test_the_model_is_loaded_once_and_reloaded_only_when_its_file_changes(app, tmp_path):
    with app.app_context():
        shared = spam_store.current()
        app.config["SAMTAL_SPAM_MODEL_PATH"] = str(tmp_path / "model.joblib")
        spam_store.save(shared)
        first = spam_store.current()
        assert first is not shared
        assert spam_store.current() is first
        spam_store.forget_loaded()
        assert spam_store.current() is not first


YOUTUBE = ROOT / "discussion" / "data" / "youtube-spam"


def test_evaluate_prints_the_metrics_line_last(runner):
    result = runner.invoke(args=["spam", "evaluate", "--csv", str(YOUTUBE / "Youtube01-Psy.csv")])
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    fields = dict(part.split("=") for part in last.split())
    assert list(fields) == ["precision", "recall", "f1", "ham_fpr", "n"]
    assert fields["n"] == "350"
    assert all(len(value.split(".")[1]) == 4 for key, value in fields.items() if key != "n")
    assert float(fields["f1"]) > 0.9


def test_train_from_a_tsv_and_bad_files_fail_with_the_line(runner, app, tmp_path):
    app.config["SAMTAL_SPAM_MODEL_PATH"] = str(tmp_path / "model.joblib")
    good = tmp_path / "extra.tsv"
    good.write_text("spam\tKöp solceller nu\nham\tBra inlägg, tack\n", encoding="utf-8")
    result = runner.invoke(args=["spam", "train", "--csv", str(good)])
    assert result.exit_code == 0, result.output
    assert "saved to" in result.output
    assert (tmp_path / "model.joblib").exists()
    bad = tmp_path / "bad.tsv"
    bad.write_text("spam\tKöp\nkanske\tvet inte\n", encoding="utf-8")
    result = runner.invoke(args=["spam", "evaluate", "--csv", str(bad)])
    assert result.exit_code != 0
    assert "line 2" in result.output


def test_words_cli_adds_lists_and_removes(runner):
    assert runner.invoke(args=["spam", "words", "add", "banned", "Kasino"]).exit_code == 0
    assert runner.invoke(args=["spam", "words", "add", "suspect", "lån"]).exit_code == 0
    assert runner.invoke(args=["spam", "words", "list"]).output.splitlines() == [
        "banned\tkasino",
        "suspect\tlån",
    ]
    assert runner.invoke(args=["spam", "words", "remove", "KASINO"]).exit_code == 0
    missing = runner.invoke(args=["spam", "words", "remove", "kasino"])
    assert missing.exit_code == 1
    assert "no such word" in missing.output


def test_comments_older_than_the_window_are_not_duplicates(app, sample_posts):
    with app.app_context():
        first, second = questions()[:2]
        old = store(first, HAM, name="Bertil")
        old.created_at = utcnow() - timedelta(hours=48)
        comment = store(second, HAM)
        assert not any(r.startswith("Samma text") for r in worded(check.check(comment).reasons))


def test_every_processed_comment_records_its_score_and_reasons(app, client, sample_posts):
    with app.app_context():
        question_id = questions()[0].id
    post_form(client, STRATEGER, question_id, HAM)
    with app.app_context():
        comment = db.session.scalar(select(Comment))
        assert 0 <= comment.spam_score < 0.5
        assert worded(comment.spam_reasons)[0].startswith("Textmodellen: ")
        decision = db.session.scalar(
            select(ModerationDecision).where(ModerationDecision.comment_id == comment.id)
        )
        assert decision.action == "processed"


def test_posting_too_fast_gets_a_swedish_429_and_keeps_what_was_accepted(app, client, sample_posts):
    app.config["SAMTAL_COMMENT_RATE_LIMIT"] = "2 per minute"
    with app.app_context():
        question_id = questions()[0].id
    answers = [post_form(client, STRATEGER, question_id, f"{HAM} ({n})") for n in range(3)]
    assert [answer.status_code for answer in answers] == [302, 302, 429]
    assert "Vänta en stund" in answers[2].get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Comment).count() == 2


def test_an_unreadable_model_file_is_replaced_by_the_default_model(app, tmp_path, caplog):
    path = tmp_path / "model.joblib"
    path.write_bytes(b"not a model")
    app.config["SAMTAL_SPAM_MODEL_PATH"] = str(path)
    with app.app_context():
        model = spam_store.current()
        assert 0 <= model.score("Bra skrivet, tack!") < 0.5
    assert "unusable" in caplog.text
    assert spam.TextModel.load(path).version == model.version


def test_retraining_records_when_on_how_many_decisions_and_the_shipped_figures(
    app, sample_posts, tmp_path
):
    from discussion.models import SpamTraining

    app.config["SAMTAL_SPAM_MODEL_PATH"] = str(tmp_path / "model.joblib")
    with app.app_context():
        user = moderator(app)
        for text in SOLAR:
            comment = store(questions()[0], text)
            lifecycle.change_state(comment, CommentState.SPAM, action="spam", user=user)
        db.session.commit()
        model = spam_store.retrain()
        training = db.session.scalar(select(SpamTraining))
        assert (training.version, training.site_decisions) == (model.version, len(SOLAR))
        assert 0.9 < training.shipped_f1 <= 1.0 and 0.0 <= training.shipped_ham_fpr < 0.05
        comment = store(questions()[0], PROBE)
        check.assess(comment)
        assert comment.spam_model_version == model.version
