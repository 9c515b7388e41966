"""/posts and /comments: the archive (read), and comment moderation (the moderate scope)."""

import sqlalchemy as sa
from flask import Response
from werkzeug.exceptions import Conflict, Forbidden, NotFound

from listserve.api import bp
from listserve.api.auth import audit_subject, current_caller, requires
from listserve.api.models import Scope
from listserve.api.paging import PageQuery, keyset, page_of
from listserve.api.schemas import CommentOut, CommentPage, CommentQuery, PostFull, PostPage
from listserve.archive import moderation
from listserve.archive.models import Comment, CommentStatus, Post
from listserve.archive.services import post_url
from listserve.extensions import db


def post_out(post: Post, full: bool = False) -> dict:
    out = {"id": post.id, "year": post.year, "slug": post.slug, "subject": post.subject,
           "url": post_url(post), "published_at": post.published_at.isoformat(),
           "announcement_id": post.announcement_id}
    if full:
        out.update(body_markdown=post.body_markdown, body_html=post.body_html)
    return out


def comment_out(comment: Comment) -> dict:
    return {"id": comment.id, "post_id": comment.post_id, "parent_id": comment.parent_id,
            "author_name": comment.author_name, "body_markdown": comment.body_markdown,
            "body_html": comment.body_html, "status": comment.status,
            "created_at": comment.created_at.isoformat()}


@bp.route("/posts", methods=["GET"])
@requires(Scope.READ)
@bp.arguments(PageQuery, location="query", as_kwargs=True)
@bp.response(200, PostPage)
def get_posts(**query):
    """The archive's posts, in id order (oldest first)."""
    posts = db.session.scalars(keyset(sa.select(Post), Post.id, query))
    return page_of([post_out(post) for post in posts], query["limit"])


@bp.route("/posts/<int(max=2147483647):post_id>", methods=["GET"])
@requires(Scope.READ)
@bp.response(200, PostFull)
def get_post(post_id: int):
    """One post with its text."""
    post = db.session.get(Post, post_id)
    if post is None:
        raise NotFound("There is no post with this id.")
    return post_out(post, full=True)


@bp.route("/comments", methods=["GET"])
@requires(Scope.READ)
@bp.arguments(CommentQuery, location="query", as_kwargs=True)
@bp.response(200, CommentPage)
def get_comments(**query):
    """Published comments; with the moderate scope, any status (status=held: the queue)."""
    status = query.get("status") or CommentStatus.PUBLISHED
    if status != CommentStatus.PUBLISHED and not current_caller().may(Scope.MODERATE):
        raise Forbidden("Only a token with the moderate scope sees unpublished comments.")
    statement = sa.select(Comment).where(Comment.status == status)
    if query.get("post_id") is not None:
        statement = statement.where(Comment.post_id == query["post_id"])
    comments = db.session.scalars(keyset(statement, Comment.id, query))
    return page_of([comment_out(comment) for comment in comments], query["limit"])


MODERATION = {"approve": moderation.approve_comment, "hide": moderation.hide_comment}


def _moderate(action: str, comment_id: int) -> Response:
    try:
        comment = moderation.get_comment(comment_id)
    except moderation.CommentGone as exc:
        raise NotFound(str(exc)) from None
    try:
        MODERATION[action](comment)
    except moderation.CommentGone as exc:
        raise Conflict(str(exc)) from None
    audit_subject("comment", comment_id, action=action)
    return comment_out(comment)


@bp.route("/comments/<int(max=2147483647):comment_id>/approve", methods=["POST"])
@requires(Scope.MODERATE)
@bp.response(200, CommentOut)
def approve_comment(comment_id: int):
    """Publish a held or hidden comment."""
    return _moderate("approve", comment_id)


@bp.route("/comments/<int(max=2147483647):comment_id>/hide", methods=["POST"])
@requires(Scope.MODERATE)
@bp.response(200, CommentOut)
def hide_comment(comment_id: int):
    """Show "hidden by the committee" in its place."""
    return _moderate("hide", comment_id)


@bp.route("/comments/<int(max=2147483647):comment_id>", methods=["DELETE"])
@requires(Scope.MODERATE)
@bp.response(204)
def delete_comment(comment_id: int):
    """Remove a comment (a placeholder stays while replies hang from it)."""
    try:
        comment = moderation.get_comment(comment_id)
    except moderation.CommentGone as exc:
        raise NotFound(str(exc)) from None
    audit_subject("comment", comment_id, action="delete")
    moderation.delete_comment(comment)
    return Response(status=204)
