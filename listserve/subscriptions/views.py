from flask import (
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from listserve.committee.audit import record_audit
from listserve.core.addresses import InvalidAddress
from listserve.core.forms import typed_fields
from listserve.core.headers import UnsafeHeaderValue
from listserve.core.i18n import (
    language_choices,
    language_name,
    page_language,
    use_subscriber_language,
)
from listserve.core.link_views import button_link
from listserve.core.lists import lists_for_pages, public_lists
from listserve.core.ratelimits import rate_limits
from listserve.core.tokens import TokenError
from listserve.extensions import csrf, db
from listserve.subscriptions import (
    bounces,
    bp,
    confirming,
    leaving,
    preferences,
    privacy,
    services,
    signups,
)
from listserve.subscriptions.forms import (
    ConfirmForm,
    EraseForm,
    PreferenceForm,
    Signup,
    SubscribeForm,
    UnsubscribeForm,
    accepted_signup,
)


@bp.route("/subscribe", methods=["GET", "POST"])
@rate_limits.limit("SUBSCRIBE_RATE_LIMIT")
def subscribe():
    # An acceptable POST is read without making the form (forms.accepted_signup); any other
    # request makes it, and its validation says what is wrong.
    form, signup = None, accepted_signup() if request.method == "POST" else None
    if signup is None:
        form = SubscribeForm()
        if not form.validate_on_submit():
            status = 400 if request.method == "POST" else 200
            return _subscribe_page(form), status
        signup = Signup.of(form)
    if signup.website:
        # A bot filled the honeypot: answer exactly as for a person, store nothing.
        return redirect(url_for("subscriptions.check_inbox"), 303)
    origin = services.Request(
        source=f"web form {request.path}",
        ip=request.remote_addr,
        user_agent=request.user_agent.string,
        language=page_language(),  # the subscription's: the page it was asked on
    )
    try:
        # One row, stored before the answer; a worker starts the double opt-in (and sends
        # the mail) a moment later.
        signups.store_signup_request(signup.email, signup.name, origin, signup.list_ids)
    except (InvalidAddress, UnsafeHeaderValue) as exc:
        if form is None:  # as the form would have stood: validated (the ticked lists in order)
            form = SubscribeForm()
            form.validate()
        form.email.errors = [str(exc)]
        return _subscribe_page(form), 400
    # The same answer whatever the address's state: nobody learns who is on the list.
    return redirect(url_for("subscriptions.check_inbox"), 303)


def _subscribe_page(form: SubscribeForm) -> str:
    """The form with a box per public list: the main one ticked, or what the person ticked."""
    lists = public_lists()
    form.lists.choices = [(mailing_list.id, mailing_list.name) for mailing_list in lists]
    if request.method != "POST":
        form.lists.data = [m.id for m in lists if m.slug == current_app.config["LIST_SLUG"]]
    return render_template("subscriptions/subscribe.html", form=form, lists=lists)


@bp.get("/subscribe/check-your-inbox")
def check_inbox():
    return render_template("subscriptions/check_inbox.html")


def _in_their_language(found):
    """A page reached from a subscriber's mail speaks their stored language (unless the
    visitor chose one): `found` is the subscription the link names, or its group."""
    first = found[0] if isinstance(found, list) and found else found
    if first is not None and not isinstance(first, list):
        use_subscriber_language(first.language)
    return found


def _button_link(form, act, look, done_template: str, page_template: str):
    """A link from a mail about a subscription (`act` and `look` take the link's one)."""
    return button_link(
        form, lambda: _in_their_language(act()), lambda: _in_their_language(look()),
        bad_link="subscriptions/bad_link.html",
        done=lambda subscription: render_template(done_template, subscription=subscription),
        page=lambda subscription: render_template(page_template, form=form,
                                                  subscription=subscription),
    )


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """One link confirms every list asked for together; a link already used says so."""
    try:
        return _confirm_link(token)
    except confirming.AlreadySubscribed as already:
        _in_their_language(already.subscription)
        return render_template("subscriptions/already_subscribed.html",
                               subscription=already.subscription)


def _confirm_link(token: str):
    form = ConfirmForm()
    return button_link(
        form,
        lambda: _in_their_language(confirming.confirm_subscriptions(token)),
        lambda: _in_their_language(
            confirming.confirmation_group(confirming.subscription_for_confirmation(token))),
        bad_link="subscriptions/bad_link.html",
        done=lambda group: render_template("subscriptions/confirmed.html",
                                           subscription=group[0], group=group),
        page=lambda group: render_template("subscriptions/confirm.html", form=form,
                                           subscription=group[0], group=group),
    )


@bp.route("/leave/<code>", methods=["GET", "POST"])
def confirm_leave(code: str):
    """The link in a leave-by-email confirmation."""
    return _button_link(
        UnsubscribeForm(),
        lambda: leaving.confirm_leave(code),
        lambda: leaving.subscription_for_leave(code),
        "subscriptions/left.html",
        "subscriptions/leave.html",
    )


@bp.route("/reenable/<token>", methods=["GET", "POST"])
def reenable(token: str):
    """The link in the notice sent when bounces disabled delivery."""
    return _button_link(
        ConfirmForm(),
        lambda: bounces.reenable_delivery(token),
        lambda: bounces.subscription_for_reenable(token),
        "subscriptions/reenabled.html",
        "subscriptions/reenable.html",
    )


@bp.route("/u/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058 one-click comes without cookies; the button's POST is checked below.
def unsubscribe(token: str):
    try:
        subscription = leaving.subscription_for_unsubscribe(token)
    except TokenError:
        return render_template("subscriptions/bad_link.html", expired=False), 404
    _in_their_language(subscription)
    if request.method == "POST" and request.form.get("List-Unsubscribe") == "One-Click":
        if subscription is not None:
            leaving.unsubscribe(subscription)
            db.session.commit()
        return Response("You have been unsubscribed.\n", 200, mimetype="text/plain")
    form = UnsubscribeForm()
    if request.method == "POST":
        if not form.validate():
            message = _("This form expired. Please press the button again.")
            return render_template("errors/error.html", code=400, message=message), 400
        if subscription is not None:
            leaving.unsubscribe(subscription)
            db.session.commit()
        return render_template("subscriptions/unsubscribed.html", token=token)
    return render_template(
        "subscriptions/unsubscribe.html", form=form, subscription=subscription, token=token
    )


def _personal_subscription(token: str):
    """(the subscription a mail's personal link names, None) or (None, the page refusing it:
    a link we never made, or a person erased since)."""
    try:
        subscription = leaving.subscription_for_unsubscribe(token)
    except TokenError:
        return None, (render_template("subscriptions/bad_link.html", expired=False), 404)
    if subscription is None:
        return None, (render_template("subscriptions/erased.html"), 404)
    return _in_their_language(subscription), None


@bp.route("/u/<token>/data", methods=["GET", "POST"])
def my_data(token: str):
    subscription, refused = _personal_subscription(token)
    if refused:
        return refused
    form = EraseForm()
    if form.validate_on_submit():
        # The audit keeps that it happened, never whose data it was.
        record_audit("the person themself", "data erased", "subscription", None)
        privacy.erase_subscriber(subscription.subscriber)
        db.session.commit()
        return render_template("subscriptions/erased.html")
    status = 400 if request.method == "POST" else 200
    return render_template(
        "subscriptions/my_data.html", form=form, subscription=subscription, token=token
    ), status


@bp.get("/u/<token>/data.json")
def export_data(token: str):
    subscription, refused = _personal_subscription(token)
    if refused:
        return refused
    response = jsonify(privacy.export_subscriber_data(subscription.subscriber))
    response.headers["Content-Disposition"] = 'attachment; filename="my-data.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_context_processor
def footer_form():
    def form_for_footer() -> SubscribeForm:
        # After a refused POST (rate limit, expired form) the footer keeps what was typed.
        typed = typed_fields()
        return SubscribeForm(
            formdata=None, data={"email": typed.get("email", ""), "name": typed.get("name", "")}
        )

    def main_consent_text() -> str:
        main = current_app.config["LIST_SLUG"]
        for mailing_list in lists_for_pages():
            if mailing_list.slug == main and mailing_list.consent_text:
                return mailing_list.consent_text
        return current_app.config["CONSENT_TEXT"]

    return {"form_for_footer": form_for_footer, "main_consent_text": main_consent_text}


@bp.route("/u/<token>/lists", methods=["GET", "POST"])
def my_lists(token: str):
    """Every list with the person's state: join, leave one or all, each mail or a digest."""
    subscription, refused = _personal_subscription(token)
    if refused:
        return refused
    form = PreferenceForm()
    form.language.choices = language_choices()
    if request.method == "POST":
        if not form.validate():
            db.session.rollback()
            flash(_("This form expired or was not one of ours. Please press the button again."),
                  "error")
            return _preferences_page(subscription, token), 400
        try:
            message = _apply_preference(subscription, form)
        except preferences.PreferenceRefused as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return _preferences_page(subscription, token), 400
        db.session.commit()
        flash(message)
        return redirect(url_for("subscriptions.my_lists", token=token), 303)
    return _preferences_page(subscription, token)


def _apply_preference(subscription, form: PreferenceForm) -> str:
    action = form.action.data
    if action == "leave_all":
        preferences.leave_all(subscription)
        return _("You have left every list.")
    if action == "language":
        if not form.language.data:
            raise preferences.PreferenceRefused(_("Please choose a language."))
        preferences.set_language(subscription, form.language.data)
        use_subscriber_language(form.language.data)
        return _("Saved: your mail will come in %(language)s.",
                 language=language_name(form.language.data))
    if not form.list_id.data:
        raise preferences.PreferenceRefused(_("Please choose a list."))
    list_id = int(form.list_id.data)
    if action == "leave":
        preferences.leave_list(subscription, list_id)
        return _("You have left the list.")
    if action == "mode":
        preferences.set_delivery_mode(subscription, list_id, form.mode.data or "")
        return _("Saved: a digest.") if form.mode.data == "digest" else _("Saved: each message.")
    origin = services.Request(source=f"preferences page {request.path.rsplit('/', 2)[0]}/…",
                              ip=request.remote_addr, user_agent=request.user_agent.string,
                              language=subscription.language or page_language())
    if preferences.join_list(subscription, list_id, origin):
        return _("You have joined the list. A welcome message is on its way.")
    return _("We sent you a confirmation mail: press its button to join.")


def _preferences_page(subscription, token: str):
    form = PreferenceForm(formdata=None, data={"language": subscription.mail_language})
    form.language.choices = language_choices()
    return render_template("subscriptions/preferences.html", token=token,
                           states=preferences.list_states(subscription.subscriber),
                           subscriber=subscription.subscriber, language_form=form)
