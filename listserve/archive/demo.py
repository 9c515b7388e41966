"""Demo posts for `listserve demo`: a few archived announcements with reader comments, so a
newcomer's archive, search and feed have something in them. Loaded once (skipped when the
archive already holds a post)."""

from datetime import timedelta

import sqlalchemy as sa

from listserve.archive.models import Comment, Commenter, CommentStatus, Post
from listserve.archive.services import publish_post
from listserve.core.db import utcnow
from listserve.core.rendering import render_announcement_html, render_comment_html
from listserve.extensions import db

POSTS = [
    ("Welcome to the network's list",
     "Thank you for joining. This list carries the coordinating committee's announcements: "
     "the **spring assembly**, the mission statement and the membership drive.\n\n"
     "Read our [aims and next steps](/) any time.",
     [("Lena", "lena@example.net", "Glad this exists. Will the assembly be online too?"),
      ("Omar", "omar@example.net", "Our co-op would like to host a regional meeting.")]),
    ("The spring assembly: date and draft agenda",
     "The **spring assembly** meets on the first Saturday of May.\n\n"
     "## Draft agenda\n\n1. The provisional mission statement\n2. The membership drive\n"
     "3. Funding and fiscal sponsorship\n\nReply with items you would add.",
     [("Ines", "ines@example.net", "Could we add a session on community land trusts?")]),
    ("A first draft of the mission statement",
     "The working group has a **first draft** of the mission statement. It is short on "
     "purpose: one page, in plain words. Comments are open below until the assembly.",
     [("Kofi", "kofi@example.net", "Plain words, yes. Thank you for keeping it short."),
      ("Mae", "mae@example.net", "I would name mutual aid explicitly.")]),
]


def load_demo_posts() -> int:
    """Publish the demo posts with their comments; return how many posts were added."""
    if db.session.scalar(sa.select(sa.func.count(Post.id))):
        return 0
    start = utcnow() - timedelta(days=30)
    for number, (subject, body, comments) in enumerate(POSTS):
        post = publish_post(subject=subject, body_markdown=body,
                            body_html=render_announcement_html(body),
                            published_at=start + timedelta(days=10 * number))
        for name, email, text in comments:
            commenter = db.session.scalar(sa.select(Commenter).filter_by(email_key=email))
            if commenter is None:
                commenter = Commenter(email=email, email_key=email)
                db.session.add(commenter)
            db.session.add(Comment(post=post, commenter=commenter, author_name=name,
                                   body_markdown=text, body_html=render_comment_html(text),
                                   status=CommentStatus.PUBLISHED))
        db.session.flush()
    return len(POSTS)
