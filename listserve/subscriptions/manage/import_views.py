"""The upload form for importing subscribers, and the dashboard (routes on the admin blueprint)."""

import io

import sqlalchemy as sa
from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from listserve.committee.audit import record_audit
from listserve.committee.auth import admin_required, member_required
from listserve.core.arguments import int_arg
from listserve.core.headers import UnsafeHeaderValue
from listserve.core.lists import MailingList
from listserve.extensions import db
from listserve.subscriptions.manage import bp, dashboard
from listserve.subscriptions.manage.charts import bar_chart, line_chart
from listserve.subscriptions.manage.forms import ImportForm
from listserve.subscriptions.manage.import_rows import ImportRefused
from listserve.subscriptions.manage.importing import import_subscribers


@bp.route("/subscribers/import", methods=["GET", "POST"])
@admin_required
def import_page():
    form = ImportForm()
    if form.validate_on_submit():
        lines = io.TextIOWrapper(form.file.data.stream, encoding="utf-8-sig",
                                 errors="replace", newline="")
        try:
            report = import_subscribers(lines, form.consent_source.data,
                                        form.already_confirmed.data,
                                        imported_by=current_user.label)
        except (ImportRefused, UnsafeHeaderValue) as exc:
            db.session.rollback()
            form.file.errors = [str(exc)]
        else:
            record_audit(current_user, "subscribers imported", "subscribers", None, detail={
                "file": form.file.data.filename, "consent": form.consent_source.data})
            db.session.commit()
            return render_template("subscriptions/manage/import_done.html", report=report)
    status = 400 if request.method == "POST" else 200
    return render_template("subscriptions/manage/import.html", form=form), status


@bp.get("/dashboard")
@member_required
def dashboard_page():
    lists = db.session.scalars(sa.select(MailingList).order_by(MailingList.name)).all()
    chosen = int_arg("list")
    if chosen is not None and chosen not in {each.id for each in lists}:
        abort(404)
    weeks = dashboard.weekly_figures(list_id=chosen)
    labels = [week.week.isoformat() for week in weeks]
    charts = {
        "confirmed": line_chart(_("Confirmed subscribers at the end of each week"), labels,
                                [w.confirmed for w in weeks], _("subscribers")),
        "movement": bar_chart(_("Subscribes and unsubscribes per week"), labels, {
            _("subscribes"): [w.subscribes for w in weeks],
            _("unsubscribes"): [w.unsubscribes for w in weeks],
        }, _("people a week")),
        "bounces": bar_chart(_("Bounces per week"), labels,
                             {_("bounces"): [w.bounces for w in weeks]}, _("bounces a week")),
    }
    return render_template("subscriptions/manage/dashboard.html", weeks=weeks, charts=charts,
                           announcements=dashboard.announcement_figures(list_id=chosen),
                           lists=lists, chosen=chosen,
                           window_days=dashboard.UNSUBSCRIBE_WINDOW.days)
