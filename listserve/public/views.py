from flask import render_template

from listserve.archive.services import latest_posts
from listserve.core.pagecache import cached_page
from listserve.public import bp, services, translations
from listserve.public.editing import last_updated


@bp.get("/")
@cached_page
def home():
    return render_template(
        "public/home.html",
        welcome=services.get_page_text("home_welcome"),
        aims=translations.aims(),  # in the reader's language where the committee translated
        next_steps=translations.next_steps(),
        updated_at=max(filter(None, (last_updated("aims"), last_updated("next_steps"))),
                       default=None),
        latest=latest_posts(3),
    )


@bp.get("/ecosystem")
@cached_page
def ecosystem():
    intro, sections = translations.ecosystem()  # the reader's language where translated
    return render_template(
        "public/ecosystem.html",
        intro=intro,
        sections=sections,
        updated_at=last_updated("ecosystem"),
    )
