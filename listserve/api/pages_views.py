"""The committee's API pages: a member's own tokens (made, shown once, revoked) and, for
admins, the webhooks with their delivery log and manual redelivery."""

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from listserve.api import pages, tokens, webhooks
from listserve.api.forms import TokenForm, WebhookForm
from listserve.api.models import Webhook, WebhookDelivery
from listserve.committee.auth import admin_required, member_required
from listserve.core.db import utcnow
from listserve.core.forms import ButtonForm
from listserve.extensions import db

# What the token list shows for tokens.token_state's answer.
TOKEN_STATES = {"active": _l("active"), "revoked": _l("revoked"), "expired": _l("expired")}


def _state_label(state: str) -> str:
    return TOKEN_STATES.get(state, state)


def _scope_choices() -> list[SelectChoice]:
    return [SelectChoice(scope, scope) for scope in tokens.scopes_allowed(current_user)]


@pages.route("/tokens", methods=["GET", "POST"])
@member_required
def tokens_page():
    form = TokenForm()
    form.scopes.choices = _scope_choices()
    new_secret = None
    if form.validate_on_submit():
        days = int(form.expires.data or 0)
        expires = utcnow() + timedelta(days=days) if days else None
        try:
            made = tokens.create_token(current_user, form.name.data, form.scopes.data, expires)
        except tokens.TokenRefused as exc:
            db.session.rollback()
            form.name.errors = [str(exc)]
        else:
            db.session.commit()
            new_secret = made.secret
            form = TokenForm(formdata=None)
            form.scopes.choices = _scope_choices()
    status = 400 if request.method == "POST" and form.errors else 200
    response = render_template(
        "api/tokens.html", form=form, new_secret=new_secret, state=tokens.token_state,
        state_label=_state_label,
        tokens=tokens.list_tokens(current_user), button=ButtonForm(),
    ), status
    return response


@pages.post("/tokens/<int(max=2147483647):token_id>/revoke")
@member_required
def revoke_token(token_id: int):
    token = tokens.get_token(token_id)
    if token is None or (token.member_id != current_user.id and not current_user.is_admin):
        abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    tokens.revoke_token(current_user, token)
    db.session.commit()
    flash(_("Token %(token)s revoked.", token=token.label))
    return redirect(url_for("api_pages.tokens_page"), 303)


@pages.route("/webhooks", methods=["GET", "POST"])
@admin_required
def webhooks_page():
    form = WebhookForm()
    if form.validate_on_submit():
        try:
            hook = webhooks.register_webhook(current_user, form.url.data, form.events.data)
        except webhooks.WebhookRefused as exc:
            db.session.rollback()
            form.url.errors = [str(exc)]
        else:
            db.session.commit()
            flash(_("Webhook registered. Its signing secret: %(secret)s", secret=hook.secret))
            return redirect(url_for("api_pages.webhook_page", hook_id=hook.id), 303)
    hooks = db.session.scalars(db.select(Webhook).order_by(Webhook.id)).all()
    status = 400 if request.method == "POST" else 200
    return render_template("api/webhooks.html", form=form, hooks=hooks), status


def _hook_or_404(hook_id: int) -> Webhook:
    hook = db.session.get(Webhook, hook_id)
    if hook is None:
        abort(404)
    return hook


@pages.get("/webhooks/<int(max=2147483647):hook_id>")
@admin_required
def webhook_page(hook_id: int):
    hook = _hook_or_404(hook_id)
    return render_template("api/webhook.html", hook=hook,
                           deliveries=webhooks.recent_deliveries(hook))


@pages.post("/webhooks/<int(max=2147483647):hook_id>/remove")
@admin_required
def remove_webhook(hook_id: int):
    hook = _hook_or_404(hook_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    webhooks.remove_webhook(current_user, hook)
    db.session.commit()
    flash(_("Webhook removed."))
    return redirect(url_for("api_pages.webhooks_page"), 303)


@pages.post("/webhooks/<int(max=2147483647):hook_id>/deliveries/<int(max=2147483647):delivery_id>/redeliver")
@admin_required
def redeliver(hook_id: int, delivery_id: int):
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.webhook_id != hook_id:
        abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    webhooks.redeliver(current_user, delivery)
    db.session.commit()
    flash(_("Queued again: the worker sends it in its next round."))
    return redirect(url_for("api_pages.webhook_page", hook_id=hook_id), 303)
