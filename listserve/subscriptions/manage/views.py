"""Admins' subscriber pages: the table, one person's record, the actions, export."""

import sqlalchemy as sa
from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from listserve.committee.audit import record_audit
from listserve.committee.auth import admin_required
from listserve.core.arguments import int_arg
from listserve.core.forms import ButtonForm
from listserve.extensions import db
from listserve.subscriptions.manage import actions, bp, exporting, subscribers
from listserve.subscriptions.manage.forms import SearchForm
from listserve.subscriptions.manage.selection import Selection
from listserve.subscriptions.models import Subscription

ACTIONS = {
    "unsubscribe": (actions.unsubscribe_for_admin, _l("Unsubscribed.")),
    "resend": (actions.resend_confirmation, _l("The confirmation mail is queued again.")),
    "disable": (actions.disable_delivery, _l("Delivery paused.")),
    "enable": (actions.enable_delivery, _l("Delivery resumed.")),
    "erase": (actions.erase_for_admin, _l("Erased: only a hash of the address is kept.")),
}


def _search_form() -> tuple[SearchForm, Selection]:
    form = SearchForm(request.args)
    form.list_id.choices = [SelectChoice("", _("Every list"))] + [
        SelectChoice(str(ml.id), ml.name) for ml in subscribers.list_mailing_lists()
    ]
    if request.args and not form.validate():
        return form, Selection()
    selection = Selection(
        query=form.q.data or "",
        statuses=[form.status.data] if form.status.data else [],
        list_id=int(form.list_id.data) if form.list_id.data else None,
        min_bounce_score=float(form.min_bounce.data) if form.min_bounce.data is not None else None,
        subscribed_from=form.subscribed_from.data,
        subscribed_until=form.subscribed_until.data,
    )
    return form, selection


@bp.get("/subscribers")
@admin_required
def subscriber_table():
    form, selection = _search_form()
    page = subscribers.search_subscriptions(selection, int_arg("page", 1))
    status = 400 if form.errors else 200
    filters = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("subscriptions/manage/subscribers.html", form=form, page=page,
                           filters=filters), status


@bp.get("/subscribers/<int:subscription_id>")
@admin_required
def subscriber(subscription_id: int):
    record = subscribers.get_subscriber_record(subscription_id)
    if record is None:
        abort(404)
    return render_template("subscriptions/manage/subscriber.html", record=record, actions=ACTIONS)


@bp.post("/subscribers/<int:subscription_id>/<action>")
@admin_required
def subscriber_action(subscription_id: int, action: str):
    if action not in ACTIONS:
        abort(404)
    subscription = db.session.get(Subscription, subscription_id)
    if subscription is None:
        abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    change, message = ACTIONS[action]
    try:
        change(current_user, subscription)
    except actions.AdminActionError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".subscriber", subscription_id=subscription_id), 303)
    db.session.commit()
    flash(str(message))
    if action == "erase":
        return redirect(url_for("subscriptions.manage.subscriber_table"), 303)
    return redirect(url_for(".subscriber", subscription_id=subscription_id), 303)


@bp.get("/subscribers/export.<fmt>")
@admin_required
def export(fmt: str):
    if fmt not in ("csv", "json"):
        abort(404)
    selection = _search_form()[1]
    record_audit(current_user, "subscribers exported", "subscribers", None, detail={
        "format": fmt, "filter": {k: v for k, v in request.args.items() if v} or "everyone"})
    db.session.commit()
    chunks = exporting.export_csv(selection) if fmt == "csv" else exporting.export_json(selection)
    mimetype = "text/csv" if fmt == "csv" else "application/json"
    return Response(
        stream_with_context(chunks),
        mimetype=mimetype,
        headers={"Content-Disposition": f"attachment; filename=subscribers.{fmt}"},
    )


BULK_ACTIONS = {"unsubscribe": actions.unsubscribe_for_admin,
                "resend": actions.resend_confirmation}
MAX_TICKED = 1000


def _ticked_ids() -> list[int] | None:
    values = request.form.getlist("ids")
    if not values or len(values) > MAX_TICKED or not all(v.isascii() and v.isdigit()
                                                         and len(v) < 12 for v in values):
        return None
    return sorted({int(v) for v in values})


@bp.post("/subscribers/bulk")
@admin_required
def bulk_action():
    """Unsubscribe, send the confirmation again, or export: for the ticked subscriptions."""
    action = request.form.get("action", "")
    ids = _ticked_ids()
    if action not in (*BULK_ACTIONS, "export") or ids is None:
        flash(_("Tick at least one subscriber (at most 1000) and choose what to do."), "error")
        page = subscriber_table()[0]
        return page, 400
    if action == "export":
        record_audit(current_user, "subscribers exported", "subscribers", None,
                     detail={"format": "csv", "ticked": len(ids)})
        db.session.commit()
        chunks = exporting.export_csv(Selection(ids=ids))
        return Response(stream_with_context(chunks), mimetype="text/csv",
                        headers={"Content-Disposition": "attachment; filename=subscribers.csv"})
    done = skipped = 0
    for subscription in db.session.scalars(sa.select(Subscription).where(
            Subscription.id.in_(ids))):
        try:  # each action checks before it writes, so a refusal leaves nothing half done
            BULK_ACTIONS[action](current_user, subscription)
            done += 1
        except actions.AdminActionError:
            skipped += 1
    db.session.commit()
    if action == "unsubscribe":
        flash(_("Unsubscribed %(done)s; %(skipped)s skipped (not in a state for that).",
                done=done, skipped=skipped) if skipped
              else _("Unsubscribed %(done)s.", done=done))
    else:
        flash(_("Confirmation mail queued again for %(done)s; %(skipped)s skipped (not in a "
                "state for that).", done=done, skipped=skipped) if skipped
              else _("Confirmation mail queued again for %(done)s.", done=done))
    return redirect(url_for(".subscriber_table"), 303)
