"""The statistics page at /moderera/statistik, and each of its tables as CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ..auth.access import role_required
from ..extensions import db
from ..models import Post, Role
from ..spam.scoring import Thresholds
from . import charts, queries

bp = Blueprint("statistics", __name__, url_prefix="/moderera/statistik")

OUTCOME_NAMES = {
    "published": _l("Publicerade"),
    "waiting": _l("Väntar"),
    "rejected": _l("Avvisade"),
    "spam": _l("Skräp"),
}
DECIDER_NAMES = {
    "filter": _l("Spamfiltret"),
    "automatic": _l("Automatiskt (policy, verifiering)"),
    "moderators": _l("Moderatorer"),
    "authors": _l("Skribenter"),
}


@dataclass
class Table:
    """One table of the page: shown under its chart, and downloadable as CSV."""

    slug: str
    title: str
    summary: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    chart: charts.BarChart | None = None
    series: list[str] = field(default_factory=list)


def _scope() -> queries.Scope:
    """The period and post asked for, refused with a readable message when not one offered."""
    days = request.args.get("dagar", "30")
    if not days.isdigit() or int(days) not in queries.PERIODS:
        abort(400, _("Välj en period på 7, 30 eller 365 dagar."))
    post_id = request.args.get("inlagg", "")
    if post_id and (not post_id.isdigit() or int(post_id) not in {p.id for p in _posts()}):
        abort(404, _("Inlägget finns inte, eller hör inte till dina."))
    user = current_user._get_current_object()
    return queries.Scope(user, int(days), int(post_id) if post_id else None)


def _posts() -> list[Post]:
    """The posts the user may see statistics of: an author their own, others all."""
    statement = select(Post).order_by(Post.published.desc(), Post.id.desc())
    if current_user.role == Role.AUTHOR:
        statement = statement.where(Post.author_id == current_user.id)
    return list(db.session.scalars(statement))


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def _percent(value: float) -> str:
    return f"{value * 100:.1f} %"


def outcomes_table(where: queries.Scope) -> Table:
    days = queries.outcomes_per_day(where)
    names = [str(name) for name in OUTCOME_NAMES.values()]
    totals = [sum(getattr(d, key) for d in days) for key in OUTCOME_NAMES]
    return Table(
        "utfall",
        _("Kommentarer per dag efter utfall"),
        _(
            "%(total)d kommentarer på %(days)d dagar: %(published)d publicerade, %(waiting)d "
            "väntar, %(rejected)d avvisade, %(spam)d skräp.",
            total=sum(totals),
            days=where.days,
            published=totals[0],
            waiting=totals[1],
            rejected=totals[2],
            spam=totals[3],
        ),
        [_("Dag"), *names],
        [list(d) for d in days],
        charts.stacked_bars([d.day for d in days], [list(d[1:]) for d in days], names),
        names,
    )


def waiting_table(where: queries.Scope) -> Table:
    weeks = queries.decision_times_per_week(where)
    decided = [w for w in weeks if w.decided]
    slowest = max(decided, key=lambda w: w.p90_seconds, default=None)
    summary = (
        _(
            "%(count)d beslut. Längst väntan: veckan från %(week)s, median %(median)s minuter, "
            "90:e percentilen %(p90)s minuter.",
            count=sum(w.decided for w in decided),
            week=slowest.week,
            median=_minutes(slowest.median_seconds),
            p90=_minutes(slowest.p90_seconds),
        )
        if slowest
        else _("Inga beslut under perioden.")
    )
    names = [_("Median (minuter)"), _("90:e percentilen (minuter)")]
    return Table(
        "vantetid",
        _("Tid från kommentar till beslut, per vecka"),
        summary,
        [_("Vecka från"), _("Beslut"), *names],
        [[w.week, w.decided, _minutes(w.median_seconds), _minutes(w.p90_seconds)] for w in weeks],
        charts.stacked_bars(
            [w.week for w in weeks],
            [
                [
                    _minutes(w.median_seconds) or 0,
                    max(0, (_minutes(w.p90_seconds) or 0) - (_minutes(w.median_seconds) or 0)),
                ]
                for w in weeks
            ],
            [_("median"), _("upp till 90:e percentilen")],
        ),
        [_("Median"), _("Upp till 90:e percentilen")],
    )


def deciders_table(where: queries.Scope) -> Table:
    counts = queries.deciders(where)
    total = sum(counts.values())
    names = [str(DECIDER_NAMES[key]) for key in counts]
    rows = [
        [names[i], count, _percent(count / total) if total else "–"]
        for i, count in enumerate(counts.values())
    ]
    return Table(
        "beslutade-av",
        _("Vem som beslutade"),
        ", ".join(f"{name} {share}" for name, _count, share in rows)
        if total
        else _("Inga beslut under perioden."),
        [_("Beslutat av"), _("Kommentarer"), _("Andel")],
        rows,
        charts.stacked_bars(names, [[count] for count in counts.values()], [_("kommentarer")]),
        [_("Kommentarer")],
    )


def questions_table(where: queries.Scope) -> Table:
    found = queries.questions(where)
    answered = sum(1 for q in found if q.staff_answers or q.organisation_answers)
    yes, no = _("ja"), _("nej")
    return Table(
        "fragor",
        _("Frågor: kommentarer och svar"),
        _(
            "%(count)d frågor fick kommentarer; %(answered)d av dem fick svar av en skribent "
            "eller en organisation.",
            count=len(found),
            answered=answered,
        ),
        [
            _("Fråga"),
            _("Inlägg"),
            _("Kommentarer"),
            _("Skribenten svarade"),
            _("En organisation svarade"),
        ],
        [
            [
                q.question,
                q.post,
                q.comments,
                yes if q.staff_answers else no,
                yes if q.organisation_answers else no,
            ]
            for q in found
        ],
    )


def unanswered_table(where: queries.Scope) -> Table:
    weeks = queries.unanswered_per_week(where)
    names = [_("Besvarade"), _("Obesvarade")]
    return Table(
        "obesvarade",
        _("Obesvarade över tid"),
        _(
            "Av %(readers)d läsarkommentarer i trådarna är %(unanswered)d ännu obesvarade.",
            readers=sum(w.readers for w in weeks),
            unanswered=sum(w.unanswered for w in weeks),
        ),
        [_("Vecka från"), _("Läsarkommentarer"), _("Obesvarade")],
        [list(w) for w in weeks],
        charts.stacked_bars(
            [w.week for w in weeks],
            [[w.readers - w.unanswered, w.unanswered] for w in weeks],
            names,
        ),
        names,
    )


def organisations_table(where: queries.Scope) -> Table:
    found = queries.organisation_answers(where)
    return Table(
        "organisationer",
        _("Organisationssvar per organisation"),
        _(
            "%(count)d svar från %(orgs)d organisationer.",
            count=sum(n for _name, n in found),
            orgs=len(found),
        )
        if found
        else _("Inga organisationssvar under perioden."),
        [_("Organisation"), _("Publicerade svar")],
        [list(row) for row in found],
        charts.stacked_bars([name for name, _n in found], [[n] for _name, n in found], [_("svar")])
        if found
        else None,
        [_("Svar")],
    )


def _share(value: float, out_of: int) -> float | str:
    """A precision, recall or rate, or a dash where nothing was there to count it over."""
    return round(value, 3) if out_of else "–"


def _record_rows(records: list[queries.FilterRecord]) -> list[list]:
    return [
        [
            r.key or _("(okänd)"),
            r.metrics.n,
            r.metrics.fp,
            r.metrics.fn,
            _share(r.metrics.precision, r.metrics.tp + r.metrics.fp),
            _share(r.metrics.recall, r.metrics.tp + r.metrics.fn),
            _share(r.metrics.ham_fpr, r.metrics.fp + r.metrics.tn),
        ]
        for r in records
    ]


RECORD_HEADERS = [
    _l("Modellversion"),
    _l("Beslut"),
    _l("Falskt positiva (flaggade men släppta)"),
    _l("Falskt negativa (skräp som släpptes igenom)"),
    _l("Precision"),
    _l("Recall"),
    _l("Andel ham flaggad (ham_fpr)"),
]


def filter_tables(where: queries.Scope) -> list[Table]:
    """The spam filter's record from moderators' decisions, per model version and per week,
    with each version's figures on the shipped data (what `spam evaluate` gives)."""
    queue = Thresholds.from_config(current_app.config).queue
    per_version, weeks = queries.filter_record(where, queue)
    shipped = {t.version: t for t in queries.trainings(limit=1000)}
    version_rows = []
    for row, record in zip(_record_rows(per_version), per_version, strict=True):
        training = shipped.get(record.key)
        version_rows.append(
            row
            + (
                [round(training.shipped_f1, 3), round(training.shipped_ham_fpr, 3)]
                if training
                else ["–", "–"]
            )
        )
    total = sum((r.metrics for r in per_version), start=queries.Metrics())
    summary = (
        _(
            "Av %(n)d kommentarer som moderatorer beslutade om hade filtret flaggat %(fp)d som "
            "släpptes och släppt igenom %(fn)d som var skräp: precision %(precision).2f, recall "
            "%(recall).2f, ham_fpr %(fpr).3f.",
            n=total.n,
            fp=total.fp,
            fn=total.fn,
            precision=total.precision,
            recall=total.recall,
            fpr=total.ham_fpr,
        )
        if total.tp + total.fp + total.fn
        else _(
            "Av %(n)d kommentarer som moderatorer beslutade om hade filtret varken flaggat någon "
            "som släpptes eller släppt igenom något skräp.",
            n=total.n,
        )
        if total.n
        else _("Moderatorerna har inte beslutat om några bedömda kommentarer under perioden.")
    )
    worst = max(weeks, key=lambda r: r.metrics.fp + r.metrics.fn, default=None)
    week_headers = [str(h) for h in RECORD_HEADERS]
    week_headers[0] = _("Vecka från")
    return [
        Table(
            "filtret-per-version",
            _("Spamfiltrets facit per modellversion"),
            summary,
            [str(h) for h in RECORD_HEADERS]
            + [_("F1 på medföljande data"), _("ham_fpr på medföljande data")],
            version_rows,
        ),
        Table(
            "filtret-per-vecka",
            _("Spamfiltrets facit per vecka"),
            _(
                "Flest fel veckan från %(week)s: %(fp)d falskt positiva och %(fn)d falskt "
                "negativa.",
                week=worst.key,
                fp=worst.metrics.fp,
                fn=worst.metrics.fn,
            )
            if worst
            else summary,
            week_headers,
            _record_rows(weeks),
            charts.stacked_bars(
                [r.key for r in weeks],
                [[r.metrics.fp, r.metrics.fn] for r in weeks],
                [_("falskt positiva"), _("falskt negativa")],
            )
            if weeks
            else None,
            [_("Falskt positiva"), _("Falskt negativa")],
        ),
    ]


BUILDERS = (
    outcomes_table,
    waiting_table,
    deciders_table,
    questions_table,
    unanswered_table,
    organisations_table,
)
# Each table by its slug, for its CSV: only its own queries run.
BY_SLUG = {
    **{
        slug: build
        for slug, build in zip(
            ("utfall", "vantetid", "beslutade-av", "fragor", "obesvarade", "organisationer"),
            BUILDERS,
            strict=True,
        )
    },
    "filtret-per-version": lambda where: filter_tables(where)[0],
    "filtret-per-vecka": lambda where: filter_tables(where)[1],
}


def all_tables(where: queries.Scope) -> list[Table]:
    tables = [build(where) for build in BUILDERS]
    return tables + filter_tables(where)


@bp.get("")
@role_required(Role.AUTHOR, Role.MODERATOR)
def page():
    """Charts and tables for a period, for the whole site or one post."""
    where = _scope()
    return render_template(
        "statistics/page.html",
        tables=all_tables(where),
        where=where,
        periods=queries.PERIODS,
        posts=_posts(),
        csv_url=csv_url,
    )


@bp.get("/<slug>.csv")
@role_required(Role.AUTHOR, Role.MODERATOR)
def table_csv(slug: str):
    """One of the page's tables as CSV, for the same period and post."""
    if slug not in BY_SLUG:
        abort(404, _("Det finns ingen sådan tabell."))
    where = _scope()
    table = BY_SLUG[slug](where)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.headers)
    writer.writerows(table.rows)
    name = f"samtal-{slug}-{where.days}d.csv"
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def csv_url(table: Table, where: queries.Scope) -> str:
    return url_for(
        "statistics.table_csv", slug=table.slug, dagar=where.days, inlagg=where.post_id or None
    )
