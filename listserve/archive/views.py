from flask import (
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from werkzeug.exceptions import NotFound

from listserve.archive import bp, comment_notices, comments, reader, services, thread_pages
from listserve.archive.feed import build_feed
from listserve.archive.forms import CommentForm
from listserve.archive.list_archives import list_slug_for, list_slug_of, public_archive_or_404
from listserve.archive.models import CommentStatus, Post
from listserve.archive.post_languages import shown_post
from listserve.archive.search import search_archive
from listserve.core import errors
from listserve.core.addresses import InvalidAddress
from listserve.core.arguments import int_arg
from listserve.core.forms import ButtonForm
from listserve.core.headers import UnsafeHeaderValue
from listserve.core.link_views import button_link
from listserve.core.lists import lists_for_pages
from listserve.core.pagecache import cached_page
from listserve.core.ratelimits import rate_limits, retry_after
from listserve.core.tokens import TokenError
from listserve.extensions import db

OUTCOMES = {
    CommentStatus.PUBLISHED: _l("Thank you: your comment is published."),
    CommentStatus.UNVERIFIED: _l(
        "Almost there: we sent you an email. Press the button in it and your comment "
        "is published."
    ),
    CommentStatus.HELD: _l(
        "Thank you: your comment will appear once the committee has read it."),
}


# Before there were several lists the archive lived at /archive/…: those addresses (in mails
# already sent, feed readers, bookmarks) move for good to the main list's archive.


MAX_PAGE = 100_000


def _main_list() -> str:
    return current_app.config["LIST_SLUG"]


@bp.get("/archive")
def index():
    return redirect(url_for("archive.list_index", list_slug=_main_list(), **_paging()), 301)


@bp.get("/archive/search")
def search():
    int_arg("page")  # a page number beyond any database integer is not found, here too
    return redirect(url_for("archive.list_search", list_slug=_main_list(),
                            **request.args.to_dict()), 301)


@bp.get("/archive/feed.atom")
def feed():
    return redirect(url_for("archive.list_feed", list_slug=_main_list()), 301)


@bp.get("/archive/<int:year>/<slug>")
def old_post(year: int, slug: str):
    found = _find_post(year, slug)
    return redirect(url_for("archive.post", list_slug=list_slug_of(found), year=year,
                            slug=slug, **request.args.to_dict()), 301)


def _paging() -> dict:
    page = int_arg("page")
    return {"page": page} if page else {}


@bp.get("/archive/<list_slug>/")
@cached_page
def list_index(list_slug: str):
    mailing_list = public_archive_or_404(list_slug)
    if not mailing_list.announce_only:  # a discussion list: its threads
        return render_template("archive/threads.html", mailing_list=mailing_list,
                               threads=thread_pages.list_threads(mailing_list.id, _page_number()),
                               archive_lists=[m for m in lists_for_pages() if m.public])
    page = services.list_posts(_page_number(), mailing_list=mailing_list)
    return render_template("archive/index.html", archive=page, mailing_list=mailing_list,
                           archive_lists=[m for m in lists_for_pages() if m.public])


@bp.get("/archive/<list_slug>/thread/<int:thread_id>")
@cached_page
def thread(list_slug: str, thread_id: int):
    mailing_list = public_archive_or_404(list_slug)
    if thread_id > 2**31 - 1:  # beyond a database integer: no such thread
        abort(404)
    messages = thread_pages.thread_messages(mailing_list.id, thread_id)
    if not messages:
        abort(404)
    # Each body_html was cleaned (and its addresses hidden) when it was archived.
    return render_template("archive/thread.html", mailing_list=mailing_list,
                           messages=[(post, depth, Markup(post.body_html))  # noqa: S704
                                     for post, depth in messages])


@bp.get("/archive/<list_slug>/search")
def list_search(list_slug: str):
    mailing_list = public_archive_or_404(list_slug)
    query = request.args.get("q", "")[:200]
    results = search_archive(query, _page_number(), mailing_list=mailing_list)
    return render_template("archive/search.html", results=results, mailing_list=mailing_list)


@bp.get("/archive/<list_slug>/feed.atom")
@cached_page
def list_feed(list_slug: str):
    mailing_list = public_archive_or_404(list_slug)
    return Response(build_feed(services.latest_posts(mailing_list=mailing_list), mailing_list),
                    mimetype="application/atom+xml")


def _page_number() -> int:
    """?page=… as typed, kept within what a database integer holds."""
    return min(max(int_arg("page", 1), 1), MAX_PAGE)


def _find_post(year: int, slug: str, list_slug: str | None = None) -> Post:
    if not 0 < year < 10_000:
        abort(404)
    found = services.get_post(year, slug[:100])
    if found is None or (list_slug is not None and list_slug_of(found) != list_slug):
        abort(404)
    return found


@bp.app_template_global()
def post_path(post: Post, **query) -> str:
    """A post's address, its list known without a query (url_for would look it up)."""
    return url_for("archive.post", list_slug=list_slug_of(post), year=post.year,
                   slug=post.slug, **query)


@bp.url_defaults
def _post_list(endpoint: str, values: dict) -> None:
    """url_for("archive.post", year=…, slug=…) finds the post's list by itself."""
    if endpoint == "archive.post" and "list_slug" not in values:
        values["list_slug"] = list_slug_for(values.get("year"), values.get("slug"))


def _render_post(post: Post, form: CommentForm, status: int = 200, problem: str = ""):
    previous, following = services.neighbours(post)
    shown = shown_post(post)  # the reader's language when the post has it
    return render_template(
        "archive/post.html",
        post=post,
        shown=shown,
        list_slug=list_slug_of(post),
        # body_html was cleaned by listserve.core.rendering when it was published.
        body=Markup(shown.body_html),  # noqa: S704
        canonical_url=shown.canonical_url,
        threads=comments.comment_threads(post),
        previous=previous,
        following=following,
        form=form,
        problem=problem,
    ), status


@bp.get("/archive/<list_slug>/<int:year>/<slug>")
@cached_page
def post(list_slug: str, year: int, slug: str):
    found = _find_post(year, slug, list_slug)
    form = CommentForm(formdata=None, parent_id=int_arg("reply_to"))
    return _render_post(found, form)


@bp.post("/archive/<list_slug>/<int:year>/<slug>/comments")
@bp.post("/archive/<int:year>/<slug>/comments", defaults={"list_slug": None})  # forms open before
@rate_limits.limit("COMMENT_RATE_LIMIT")
def comment(year: int, slug: str, list_slug: str | None):
    found = _find_post(year, slug, list_slug)
    form = CommentForm()
    if not form.validate_on_submit():
        return _render_post(found, form, 400, _("Please correct what is marked below."))
    if form.website.data:
        # A bot filled the honeypot: answer as for a new reader, store nothing.
        flash(str(OUTCOMES[CommentStatus.UNVERIFIED]))
        return redirect(url_for("archive.post", year=year, slug=slug, _anchor="comments"), 303)
    draft = comments.CommentDraft(
        name=form.name.data,
        email=form.email.data,
        body=form.body.data,
        notify_replies=form.notify_replies.data,
        parent_id=form.parent_id.data,
    )
    try:
        stored = comments.submit_comment(found, draft, verified_key=reader.verified_reader_key())
    except comments.CommentLimitReached as exc:
        db.session.rollback()
        return _render_post(found, form, 429, str(exc))
    except (InvalidAddress, UnsafeHeaderValue, comments.CommentRefused) as exc:
        db.session.rollback()
        return _render_post(found, form, 400, str(exc))
    db.session.commit()
    flash(str(OUTCOMES[stored.status]))
    anchor = f"comment-{stored.id}" if stored.status == CommentStatus.PUBLISHED else "comments"
    return redirect(url_for("archive.post", year=year, slug=slug, _anchor=anchor), 303)


def _refused_comment(code: int, message: str):
    """The post page again with the form as typed, or None when not a comment POST."""
    args = request.view_args or {}
    if request.endpoint != "archive.comment" or "slug" not in args:
        return None
    try:
        found = _find_post(args["year"], args["slug"], args.get("list_slug"))
    except NotFound:  # no such post: the plain error page, not an error inside this handler
        return None
    return _render_post(found, CommentForm(), code, message)


@bp.errorhandler(429)
def comment_rate_limited(error):
    message = _("Too many comments from your network address. Please wait a little and send "
                "again.")
    page = _refused_comment(429, message)
    if page is None:
        return errors.handle_http_error(error)
    body, status = page
    return body, status, retry_after(error)


@bp.errorhandler(CSRFError)
def comment_form_expired(error):
    message = _("This form had expired, so your comment was not sent yet. Please send it "
                "again.")
    return _refused_comment(400, message) or errors.handle_csrf_error(error)


@bp.route("/archive/comments/verify/<token>", methods=["GET", "POST"])
def verify_comment(token: str):
    form = ButtonForm()

    def verified_page(comment):
        response = make_response(render_template("archive/verified.html", comment=comment))
        reader.remember_verified_reader(response, comment.commenter.email_key)
        return response

    return button_link(
        form, lambda: comments.verify_comment(token),
        lambda: comment_notices.comment_for_verification(token),
        done=verified_page, bad_link="archive/bad_link.html",
        page=lambda comment: render_template("archive/verify.html", form=form, comment=comment),
    )


@bp.route("/archive/comments/replies/stop/<token>", methods=["GET", "POST"])
def stop_reply_notices(token: str):
    form = ButtonForm()
    try:
        about = comment_notices.comment_for_reply_notices(token)
    except TokenError:
        return render_template("archive/bad_link.html", expired=False), 404
    stopped = False
    if form.validate_on_submit():
        if about is not None:
            comment_notices.stop_reply_notices(about)
            db.session.commit()
        stopped = True
    return render_template("archive/stop_replies.html", form=form, comment=about, stopped=stopped)
