"""Demo data for the embedded default: the five sample posts and a first few reader comments."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from .auth import accounts
from .comments import posting as comment_service
from .extensions import db
from .models import Comment, CommentState, Post, Role, User
from .moderation import decisions as moderation
from .organisations import register as organisations
from .organisations import verification
from .posts.importing import ImportReport, import_files, post_files

SAMPLE_POSTS = Path(__file__).parent / "data" / "sample-blog" / "posts"

# Demo staff accounts, all with DEMO_PASSWORD; the author signs the sample posts.
# (e-mail, role, name, handle). Only for trying Samtal out on 127.0.0.1.
DEMO_PASSWORD = "samtal-demo"
DEMO_ACCOUNTS = [
    ("admin@example.se", Role.ADMIN, "Demo-admin", None),
    ("moderator@example.se", Role.MODERATOR, "Demo-moderator", None),
    ("jm@example.se", Role.AUTHOR, "JM Jobring", "@jmjobring"),
]
# A new reader's comment left waiting in the queue, to try moderating.
DEMO_WAITING = (
    "kommunal-svarar",
    "Och vad tycker du om Emmas Nilssons svar nedan?",
    "Ny läsare",
    "Emma svarar bra, men jag saknar ett konkret exempel på vad de faktiskt gör.",
)

# Organisations whose verified addresses earn a badge: (name, domain).
DEMO_ORGANISATIONS = [("Kommunal", "kommunal.se"), ("Unionen", "unionen.se")]
# Kommunal answers the author's question, from an address verified as Kommunal's.
DEMO_ORGANISATION_ANSWER = (
    "strateger-sokes-eller-kontaktnat",
    "Menar Kommunal kanske att man behöver nätverket av någon annan anledning?",
    "Emma Nilsson",
    "emma.nilsson@kommunal.se",
    "Min uppfattning är att jag inte stött på någon riktigt duktig inom sociala medier som inte "
    "har hållit på mycket med det som privatperson, och då har man ofta ett stort nätverk. "
    "Det är inte bara en färdighet utan ett förhållningssätt. Sedan ska man aldrig utnyttja sitt "
    "nätverk på ett oschysst sätt: där krävs fingertoppskänsla.",
)

# (post slug, question text or None for the general thread, name, text, index of parent or None)
DEMO_COMMENTS = [
    (
        "strateger-sokes-eller-kontaktnat",
        "Vad tror du?",
        "Karin Lind",
        "Jag tror att de menar att man ska *förstå* nätverk, inte ta med sig sitt eget. "
        "Men formuleringen är olycklig.",
        None,
    ),
    (
        "strateger-sokes-eller-kontaktnat",
        "Vad tror du?",
        "Johan",
        "Håller med Karin. Mitt nätverk är mitt, men erfarenheten av att bygga det är värd pengar.",
        0,
    ),
    (
        "strateger-sokes-eller-kontaktnat",
        "Är det problematiskt eller självklart för den typen av jobb?",
        "Sara P",
        "Självklart, tycker jag. Ingen anställer en pressekreterare utan kontakter heller.",
        None,
    ),
    (
        "kommunal-svarar",
        "Vad tror du, är jag ute och cyklar?",
        "Micke",
        "Lite ute och cyklar kanske. Klout-score har ingen brytt sig om på länge.",
        None,
    ),
    (
        "strateger-sokes-eller-kontaktnat",
        "Vad tycker du om det?",
        "Lena Ek",
        "Jag tycker att det är ärligt av Kommunal att skriva det rakt ut. Många tänker så, "
        "men få skriver det i en annons.",
        None,
    ),
    (
        "strateger-sokes-eller-kontaktnat",
        "Vad tycker du om det?",
        "Ahmed",
        "Ärligt, ja, men det stänger ute alla som är nya i branschen. Hur ska man komma in?",
        4,
    ),
    (
        "strateger-sokes-eller-kontaktnat",
        "Vad tycker du om det?",
        "Lena Ek",
        "Bra poäng. Praktik och egna projekt kan kanske visa samma sak som ett nätverk.",
        5,
    ),
    (
        "strateger-sokes-eller-kontaktnat",
        "Eller menar det egentligen något helt annat?",
        "Per-Olof",
        "Jag läser det som att de vill ha någon som redan *förstår* hur nätverk fungerar, "
        "inte någon som tar med sig sina kontakter.",
        None,
    ),
    (
        "strateger-sokes-eller-kontaktnat",
        "Eller menar det egentligen något helt annat?",
        "Maria S",
        "Det tror jag också. Annonstexter skrivs ofta i all hast.",
        7,
    ),
    (
        "strateger-sokes-eller-kontaktnat",
        "Är det problematiskt eller självklart för den typen av jobb?",
        "Tove",
        "Problematiskt. Ett nätverk man byggt privat ska inte bli arbetsgivarens egendom.",
        None,
    ),
    (
        "strateger-sokes-eller-kontaktnat",
        "Vad tror du?",
        "Nils",
        "Jag tror att de vill nå ut snabbt med små medel. Då är ett färdigt nätverk frestande.",
        None,
    ),
    (
        "strateger-sokes-eller-kontaktnat",
        "Vad tror du?",
        "Sara P",
        "Kanske båda: de vill ha erfarenheten och hoppas på kontakterna på köpet.",
        10,
    ),
    (
        "strateger-sokes-eller-kontaktnat",
        None,
        "Ingrid",
        "Tack för ett tänkvärt inlägg! Jag ser fram emot Kommunals svar.",
        None,
    ),
]


def load_demo() -> ImportReport:
    """Import the sample posts; add the demo accounts and comments once, on an empty database.

    The demo comments are approved by the demo admin (the site's first-time policy or the
    spam check may hold them), except one left waiting in the queue.
    """
    admin = _demo_accounts()
    _demo_organisations()
    report = import_files(post_files(SAMPLE_POSTS))
    if db.session.scalar(select(func.count()).select_from(Comment)):
        return report
    posted: list[Comment] = []
    for slug, question_text, name, text, parent_index in DEMO_COMMENTS:
        post = db.session.scalar(select(Post).where(Post.slug == slug))
        question = next(
            q
            for q in post.questions
            if q.text == question_text or (question_text is None and q.is_general)
        )
        parent = posted[parent_index].id if parent_index is not None else None
        comment = comment_service.post_comment(question, name=name, body=text, parent_id=parent)
        db.session.commit()
        posted.append(comment)
    for comment in posted:
        db.session.refresh(comment)
        if comment.state in (CommentState.PENDING, CommentState.SPAM):
            moderation.approve(comment, admin, reason="demo")
    _post_author_reply(posted[0])
    _post_organisation_answer()
    _post_waiting_comment()
    db.session.commit()
    return report


def _demo_accounts() -> User:
    """Create the demo accounts that are missing; the admin account."""
    for email, role, name, handle in DEMO_ACCOUNTS:
        if accounts.user_by_email(email) is None:
            accounts.create_user(email, DEMO_PASSWORD, role, name=name, author_handle=handle)
    db.session.commit()
    return accounts.user_by_email(DEMO_ACCOUNTS[0][0])


def _post_author_reply(comment: Comment) -> None:
    """The post's author answers the first comment: a staff reply, live with its badge."""
    author = accounts.author_for_handle(comment.post.author_handle)
    if author is not None:
        comment_service.post_comment(
            comment.question,
            name=author.name,
            body="Precis så menar jag. Erfarenheten går att ta med sig, kontaktnätet är ditt eget.",
            parent_id=comment.id,
            user=author,
        )


def _post_waiting_comment() -> None:
    slug, question_text, name, text = DEMO_WAITING
    post = db.session.scalar(select(Post).where(Post.slug == slug))
    question = next(q for q in post.questions if q.text == question_text)
    comment_service.post_comment(question, name=name, body=text, email="ny.lasare@example.se")


def _demo_organisations() -> None:
    for name, domain in DEMO_ORGANISATIONS:
        if organisations.find(name) is None:
            organisations.add_organisation(name, [domain])
    db.session.commit()


def _post_organisation_answer() -> None:
    """Kommunal's answer with its badge, as if Emma had followed her verification link."""
    slug, question_text, name, address, text = DEMO_ORGANISATION_ANSWER
    post = db.session.scalar(select(Post).where(Post.slug == slug))
    question = next(q for q in post.questions if q.text == question_text)
    kommunal = organisations.find("Kommunal")
    verification.remember(address, kommunal)
    comment = comment_service.post_comment(question, name=name, body=text, email=address)
    comment.organisation = kommunal
