"""Tests for the spam scoring core: signals, word lists, thresholds, data loading and the model."""

from __future__ import annotations

import re
from pathlib import Path

import joblib
import numpy as np
import pytest
import scipy.sparse as sp

from discussion.spam import model as spam
from discussion.spam.model import (
    Metrics,
    ModelParams,
    TextModel,
    default_model,
    evaluate,
    load_labelled,
    shipped_training_set,
)
from discussion.spam.scoring import (
    QUEUE_THRESHOLD,
    SPAM_THRESHOLD,
    WordLists,
    clean_text,
    find_links,
    reason,
    route,
    score_text,
)
from tests.helpers import worded

FIXTURE = Path(__file__).parent / "fixtures" / "swedish_ham.tsv"
PLAIN = "Tack för ett bra inlägg, jag håller med om det mesta."


class FixedModel:
    """Stands in for TextModel where a test needs a known text score."""

    def __init__(self, scores: dict[str, float] | None = None, default: float = 0.1):
        self.scores = scores or {}
        self.default = default

    def score(self, text: str) -> float:
        return self.scores.get(text, self.default)


@pytest.fixture(scope="module")
def model() -> TextModel:
    return default_model()


# --- text clean-up and links -------------------------------------------------


def test_clean_text_removes_export_artefacts():
    raw = 'Hi &amp; bye<br />see <a href="http://x.com/a">2:19</a> now\ufeff'
    assert clean_text(raw) == "Hi & bye\nsee 2:19 now"


def test_clean_text_composes_swedish_letters():
    assert clean_text("pa\u030ask") == "påsk"


@pytest.mark.parametrize(
    ("text", "links"),
    [
        ("Läs https://www.svt.se/nyheter/a-b, den är bra.", ["https://www.svt.se/nyheter/a-b"]),
        ("se www.dn.se och bit.ly/xyz", ["www.dn.se", "bit.ly/xyz"]),
        ("just for test I have to say murdev.com", ["murdev.com"]),
        ("Det gäller t.ex. kl. 07.44 och bl.a. Umeå.", []),
    ],
)
def test_find_links(text, links):
    assert find_links(text) == links


# --- link signals --------------------------------------------------------------


def test_plain_comment_has_only_the_model_reason():
    verdict = score_text(FixedModel(), PLAIN)
    assert verdict.score == pytest.approx(0.1)
    assert worded(verdict.reasons) == ["Textmodellen: 0.10"]


def test_many_links_raise_the_score():
    text = "Se http://a.com/1 och http://b.com/2 och http://c.com/3 här"
    verdict = score_text(FixedModel(), text)
    assert "3 länkar" in worded(verdict.reasons)
    assert verdict.score >= QUEUE_THRESHOLD


def test_one_link_in_a_sentence_is_not_a_signal():
    verdict = score_text(
        FixedModel(), "Bra text, se även https://www.dn.se/kultur/artikel/ för mer."
    )
    assert worded(verdict.reasons) == ["Textmodellen: 0.10"]


def test_shortener_is_named():
    verdict = score_text(FixedModel(), "Titta här bit.ly/2abc och säg vad du tycker")
    assert "Länkförkortare (bit.ly)" in worded(verdict.reasons)
    assert verdict.score >= QUEUE_THRESHOLD


def test_link_only_comment():
    verdict = score_text(FixedModel(), "  https://example.com/sale  ")
    assert "Bara en länk" in worded(verdict.reasons)
    assert verdict.score >= QUEUE_THRESHOLD


def test_link_in_name():
    plain = score_text(FixedModel(), PLAIN, name="Anna")
    linked = score_text(FixedModel(), PLAIN, name="Anna www.billiga-lan.se")
    assert "Länk i namnet" in worded(linked.reasons)
    assert "Länk i namnet" not in worded(plain.reasons)
    assert linked.score > plain.score >= 0


def test_signals_combine_but_stay_within_one():
    text = "bit.ly/a bit.ly/b bit.ly/c"
    verdict = score_text(FixedModel(default=0.99), text, name="x.com")
    assert 0.99 < verdict.score <= 1.0
    assert {"3 länkar", "Bara länkar", "Länk i namnet"} <= set(worded(verdict.reasons))


# --- word lists ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "text", "found"),
    [
        ("kasino", "Bästa Kasino! Spela nu", True),
        ("kasino", "Kasinot i Sundsvall har stängt", False),
        ("kasino", "nätkasino", False),
        ("räksmörgås", "RÄKSMÖRGÅS till lunch", True),
        ("räksmörgås", "två räksmörgåsar", False),
        ("sköt", "Han sköt bollen", True),
        ("sköt", "skötsel av trädgården", False),
        ("café", "Träffas på Café Ölstugan?", True),
        ("café", "caféet var stängt", False),
        ("ö", "en ö i skärgården", True),
        ("ö", "Öland", False),
        ("snabba lån", "Snabba   lån utan UC", True),
        ("viagra", "www.viagra-billigt.se", True),
        ("pa\u030ask", "Glad påsk!", True),
    ],
)
def test_word_matching_is_whole_word_case_insensitive(word, text, found):
    assert WordLists(suspect=[word]).find_suspect(text) == ([word] if found else [])


def test_banned_word_sends_to_spam():
    lists = WordLists(banned=["viagra"], suspect=["kasino"])
    verdict = score_text(FixedModel(default=0.01), "Köp Viagra här", word_lists=lists)
    assert verdict.score == 1.0
    assert "Förbjudet ord: viagra" in worded(verdict.reasons)
    assert route(verdict.score) == "spam"


def test_suspect_word_sends_to_queue():
    lists = WordLists(banned=["viagra"], suspect=["kasino"])
    verdict = score_text(
        FixedModel(default=0.01), "Vem vill till kasino i kväll?", word_lists=lists
    )
    assert verdict.score == QUEUE_THRESHOLD
    assert worded(verdict.reasons)[-1] == "Misstänkt ord: kasino"
    assert route(verdict.score) == "pending"


def test_suspect_word_uses_the_configured_queue_threshold():
    lists = WordLists(suspect=["kasino"])
    verdict = score_text(FixedModel(default=0.01), "kasino", word_lists=lists, queue_threshold=0.3)
    assert verdict.score == 0.3
    assert route(verdict.score, 0.3, 0.9) == "pending"


def test_suspect_word_never_lowers_the_score():
    lists = WordLists(suspect=["kasino"])
    verdict = score_text(FixedModel(default=0.9), "kasino", word_lists=lists)
    assert verdict.score == pytest.approx(0.9)


def test_word_lists_also_check_the_name():
    lists = WordLists(banned=["casino"])
    assert score_text(FixedModel(), PLAIN, name="Casino Royale", word_lists=lists).score == 1.0


def test_word_not_in_list_does_nothing():
    lists = WordLists(banned=["viagra"], suspect=["kasino"])
    assert score_text(FixedModel(), PLAIN, word_lists=lists).reasons == [
        reason("model", probability=0.1)
    ]


# --- thresholds ----------------------------------------------------------------


def test_default_thresholds_are_ordered():
    assert 0 < QUEUE_THRESHOLD < SPAM_THRESHOLD < 1


@pytest.mark.parametrize(
    ("score", "where"),
    [(0.0, "normal"), (0.49, "normal"), (0.5, "pending"), (0.84, "pending"), (0.85, "spam")],
)
def test_route_by_default_thresholds(score, where):
    assert route(score) == where


def test_route_by_custom_thresholds():
    assert route(0.5, queue_threshold=0.6, spam_threshold=0.7) == "normal"
    assert route(0.65, queue_threshold=0.6, spam_threshold=0.7) == "pending"
    assert route(0.75, queue_threshold=0.6, spam_threshold=0.7) == "spam"


def test_route_rejects_crossed_thresholds():
    with pytest.raises(ValueError, match="queue"):
        route(0.5, queue_threshold=0.9, spam_threshold=0.8)


# --- loading labelled files ----------------------------------------------------


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_load_youtube_csv(tmp_path):
    path = write(
        tmp_path / "videos.csv",
        "COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS\n"
        'a1,Ann,2014-01-01T00:00:00,"check out my channel, please\ufeff",1\n'
        "a2,Bo,2014-01-01T00:00:00,love this song\ufeff,0\n",
    )
    assert load_labelled([path]) == [
        ("check out my channel, please\ufeff", 1),
        ("love this song\ufeff", 0),
    ]


def test_load_tsv_and_csv_together(tmp_path):
    tsv = write(tmp_path / "a.tsv", "# our comments\nham\tBra skrivet!\n\nspam\tKöp billigt\n")
    csv_file = write(tmp_path / "b.csv", "COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS\nx,y,z,hello,0\n")
    assert load_labelled([tsv, csv_file]) == [("Bra skrivet!", 0), ("Köp billigt", 1), ("hello", 0)]


def test_load_detects_format_by_header(tmp_path):
    csv_text = write(tmp_path / "export.txt", "COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS\nx,y,z,hi,1\n")
    tsv_named_csv = write(tmp_path / "odd.csv", "spam\tfree gift cards\n")
    assert load_labelled(csv_text) == [("hi", 1)]
    assert load_labelled([tsv_named_csv]) == [("free gift cards", 1)]


def test_load_ignores_a_byte_order_mark(tmp_path):
    tsv = write(tmp_path / "bom.tsv", "\ufeffspam\tKöp nu\n")
    csv_file = write(
        tmp_path / "bom.csv", "\ufeffCOMMENT_ID,AUTHOR,DATE,CONTENT,CLASS\nx,y,z,hi,0\n"
    )
    assert load_labelled([tsv, csv_file]) == [("Köp nu", 1), ("hi", 0)]


def test_shipped_data_loads():
    texts, labels, weights = shipped_training_set()
    assert len(texts) == len(labels) == len(weights) > 1138
    assert sum(labels[:1138]) == 586


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("short.csv", "COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS\nx,y,z,ok,0\nx,y,hi,1\n", "line 3"),
        ("class.csv", "COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS\nx,y,z,ok,spam\n", "CLASS must be 0"),
        ("empty.csv", "COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS\nx,y,z,\ufeff,1\n", "CONTENT is empty"),
        ("header.csv", "ID,TEXT,LABEL\n1,hi,0\n", "line 1: header lacks CLASS, CONTENT"),
        ("label.tsv", "ham\tok\nmaybe\tnot sure\n", "line 2: expected 'ham' or 'spam'"),
        ("notab.tsv", "ham\tok\n\nspam only words\n", "line 3"),
        ("blank.tsv", "ham\t   \n", "line 1: the text is empty"),
    ],
)
def test_load_rejects_bad_rows_naming_file_and_line(tmp_path, name, content, message):
    path = write(tmp_path / name, content)
    with pytest.raises(ValueError, match=re.escape(name)) as error:
        load_labelled([path])
    assert message in str(error.value)


def test_load_rejects_non_utf8(tmp_path):
    path = tmp_path / "latin1.tsv"
    path.write_bytes("ham\tHälsningar\n".encode("latin-1"))
    with pytest.raises(ValueError, match="latin1.tsv: not UTF-8"):
        load_labelled([path])


# --- evaluation ------------------------------------------------------------------


def test_evaluate_counts_at_the_queue_threshold():
    scores = {"a": 0.9, "b": 0.6, "c": 0.2, "d": 0.5, "e": 0.1}
    examples = [("a", 1), ("b", 1), ("c", 1), ("d", 0), ("e", 0)]
    metrics = evaluate(FixedModel(scores), examples, queue_threshold=0.5)
    assert (metrics.tp, metrics.fn, metrics.fp, metrics.tn) == (2, 1, 1, 1)
    assert metrics.line() == "precision=0.6667 recall=0.6667 f1=0.6667 ham_fpr=0.5000 n=5"


def test_metrics_line_format():
    line = Metrics(tp=233, fp=7, fn=3, tn=195).line()
    assert re.fullmatch(
        r"precision=\d\.\d{4} recall=\d\.\d{4} f1=\d\.\d{4} ham_fpr=\d\.\d{4} n=\d+", line
    )
    assert line == "precision=0.9708 recall=0.9873 f1=0.9790 ham_fpr=0.0347 n=438"


def test_metrics_without_positives_are_zero_not_errors():
    assert Metrics(tn=3).line() == "precision=0.0000 recall=0.0000 f1=0.0000 ham_fpr=0.0000 n=3"


# --- the text model ----------------------------------------------------------------


def test_default_model_separates_obvious_cases(model):
    assert model.score("Check out my new channel and subscribe!! http://bit.ly/xyz") > 0.9
    assert model.score("Tack för ett intressant inlägg, jag håller med.") < QUEUE_THRESHOLD


@pytest.mark.parametrize(
    "text",
    [
        "Tjäna pengar snabbt hemifrån! Klicka här: www.rikpaenvecka.se",
        "Kolla in min nya blogg om inredning: http://inredningslisa.blogspot.com",
    ],
)
def test_default_model_catches_swedish_spam(model, text):
    assert score_text(model, text).score >= SPAM_THRESHOLD


def test_default_model_version_names_time_and_data(model):
    assert re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{12}", model.version)


def sklearn_proba(model: TextModel, texts: list[str]) -> np.ndarray:
    """What the fast scorer must reproduce: scikit-learn's transform, then the linear model."""
    cleaned = [clean_text(text) for text in texts]
    blocks = [vectorizer.transform(cleaned) for vectorizer in model.vectorizers]
    if model.params.cues:
        blocks.append(spam.cue_features(cleaned))
    logits = sp.hstack(blocks, format="csr") @ model.coef + model.intercept + model.params.offset
    return 1 / (1 + np.exp(-logits))


PROBES = ["Check out my channel!", "Bra skrivet, tack!", "free gift cards http://x.com", "Ja"]


def test_fast_scoring_matches_scikit_learn(model):
    assert model.predict_proba(PROBES) == pytest.approx(sklearn_proba(model, PROBES), abs=1e-12)


@pytest.mark.parametrize(
    "params",
    [
        ModelParams(c=3.0, char_analyzer="char", char_ngrams=(1, 6), binary=False, cues=False),
        ModelParams(c=1.0, nb=True, ham_weight=1.5, offset=-0.4),
    ],
)
def test_fast_scoring_matches_scikit_learn_for_other_settings(params):
    texts, labels, weights = shipped_training_set(spam.YOUTUBE_FILES[:1])
    trained = TextModel.train(texts, labels, params, weights)
    assert trained.params == params
    assert trained.predict_proba(PROBES) == pytest.approx(sklearn_proba(trained, PROBES), abs=1e-12)


def test_offset_moves_every_score_the_same_way():
    texts, labels, weights = shipped_training_set(spam.YOUTUBE_FILES[:1])
    plain = TextModel.train(texts, labels, ModelParams(), weights)
    lower = TextModel.train(texts, labels, ModelParams(offset=-1.0), weights)
    for text in PROBES:
        assert lower.logit(clean_text(text)) == pytest.approx(plain.logit(clean_text(text)) - 1.0)


def test_training_needs_both_classes():
    with pytest.raises(ValueError, match="both ham and spam"):
        TextModel.train(["a", "b"], [0, 0])


def test_later_duplicate_label_wins():
    texts, labels, weights = spam.dedupe(["Hej\ufeff", "Då", "Hej"], [0, 0, 1], [1, 2, 3])
    assert (texts, labels, weights) == (["Då", "Hej"], [0, 1], [2.0, 3.0])


def test_retraining_on_moderator_decisions_flips_a_verdict():
    texts, labels, weights = shipped_training_set()
    params = ModelParams()
    target = "Handgjorda tvålar från Tvålboden i Lund, beställ till halva priset denna vecka."
    before = TextModel.train(texts, labels, params, weights)
    assert score_text(before, target).score < QUEUE_THRESHOLD

    decisions = [
        "Handgjorda tvålar från Tvålboden, beställ idag till halva priset!",
        "Tvålboden i Lund har rea på handgjorda tvålar, halva priset.",
        "Beställ handgjorda tvålar från Tvålboden till halva priset denna vecka!",
        "Tvålboden: handgjord tvål i Lund, nu till halva priset.",
        "Halva priset på tvålar hos Tvålboden i Lund, beställ nu.",
    ]
    after = TextModel.train(
        texts + decisions, labels + [1] * len(decisions), params, weights + [3.0] * len(decisions)
    )
    assert after.version != before.version
    assert score_text(after, target).score >= QUEUE_THRESHOLD


def test_save_load_round_trip(model, tmp_path):
    path = tmp_path / "models" / "spam.joblib"
    model.save(path)
    loaded = TextModel.load(path)
    assert loaded.version == model.version
    assert loaded.params == model.params
    texts = [text for text, _ in load_labelled([FIXTURE])][:10] + ["subscribe to my channel"]
    assert loaded.predict_proba(texts) == pytest.approx(model.predict_proba(texts), abs=1e-12)
    assert [p.name for p in path.parent.iterdir()] == ["spam.joblib"]


def test_save_replaces_an_existing_model(model, tmp_path):
    path = tmp_path / "spam.joblib"
    path.write_bytes(b"old")
    model.save(path)
    assert TextModel.load(path).version == model.version


def test_load_rejects_other_files(tmp_path):
    path = tmp_path / "other.joblib"
    joblib.dump({"something": "else"}, path)
    with pytest.raises(ValueError, match="not a spam model file"):
        TextModel.load(path)


def test_load_asks_to_retrain_a_model_of_an_older_format(tmp_path):
    path = tmp_path / "old.joblib"
    joblib.dump({"format": 1, "params": {"c": 3.0, "ham_weight": 1.0}}, path)
    with pytest.raises(ValueError, match="format 1.*spam train"):
        TextModel.load(path)


# --- Swedish readers ----------------------------------------------------------------


def swedish_fixture() -> list[str]:
    examples = load_labelled([FIXTURE])
    assert all(label == 0 for _, label in examples)
    return [text for text, _ in examples]


def test_fixture_is_big_enough_and_has_news_links():
    texts = swedish_fixture()
    assert len(texts) >= 30
    assert sum(bool(find_links(text)) for text in texts) >= 5


def test_swedish_readers_never_reach_the_spam_threshold(model):
    scores = {text: score_text(model, text).score for text in swedish_fixture()}
    assert [t for t, s in scores.items() if s >= SPAM_THRESHOLD] == []


def test_swedish_readers_stay_below_the_queue_threshold(model):
    scores = {text: score_text(model, text).score for text in swedish_fixture()}
    assert [t for t, s in scores.items() if s >= QUEUE_THRESHOLD] == []


def test_site_decisions_count_forty_times_until_they_outweigh_the_shipped_data_four_times():
    assert spam.site_weight(0, 1000.0) == 0.0
    assert spam.site_weight(10, 1000.0) == spam.SITE_WEIGHT
    assert spam.site_weight(2000, 1000.0) == pytest.approx(spam.SITE_SHARE_CAP * 1000.0 / 2000)
    assert 2000 * spam.site_weight(2000, 1000.0) <= spam.SITE_SHARE_CAP * 1000.0 + 1e-9


def test_a_few_site_decisions_teach_what_the_shipped_data_calls_ham():
    """Two decisions against the shipped data's word: at weight 1 they would drown."""
    shipped = shipped_training_set(spam.YOUTUBE_FILES[:1])
    target = "Prenumerera på vår kanal för fler recept på surdegsbröd varje vecka"
    site = [
        ("Prenumerera på kanalen för recept på surdegsbröd, nya varje vecka!", 1),
        ("Recept på surdegsbröd varje vecka, prenumerera på min kanal", 1),
        ("Jag bakade surdegsbröd efter receptet i inlägget, det blev bra", 0),
    ]
    plain, used_none = spam.train_for_site([], shipped)
    taught, used = spam.train_for_site(site, shipped)
    assert (used_none, used) == (0, 3)
    assert plain.score(target) < taught.score(target)
    assert score_text(taught, target).score >= QUEUE_THRESHOLD


def test_only_the_newest_site_decisions_are_kept(monkeypatch):
    shipped = shipped_training_set(spam.YOUTUBE_FILES[:1])
    monkeypatch.setattr(spam, "SITE_LIMIT", 2)
    site = [("Gammalt beslut om något", 1), ("Ett nyare beslut", 0), ("Det nyaste beslutet", 1)]
    _, used = spam.train_for_site(site, shipped)
    assert used == 2
