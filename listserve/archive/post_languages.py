"""Which language a post is shown in: an explicit `?lang=` (the links between its versions),
else the page's language (the reader's), else the language it was sent in; and the addresses
of its other versions, for the page's links and `hreflang` alternates."""

from dataclasses import dataclass

from flask import current_app, request
from flask_babel import get_locale

from listserve.archive.models import Post
from listserve.archive.services import post_translations, post_url


@dataclass(frozen=True)
class ShownPost:
    language: str  # the language the post is shown in
    subject: str
    body_html: str  # sanitised when published
    canonical_url: str
    versions: dict[str, str]  # every language it exists in (shown one included) -> its address


def shown_post(post: Post) -> ShownPost:
    default = current_app.config["DEFAULT_LANGUAGE"]
    translations = post_translations(post)
    if not translations:  # a post in one language: as it always was
        return ShownPost(default, post.subject, post.body_html, post_url(post), {})
    asked = request.args.get("lang")
    language = next((code for code in (asked, str(get_locale()))
                     if code == default or code in translations), default)
    versions = {default: post_url(post, default),
                **{code: post_url(post, code) for code in translations}}
    if language == default:
        return ShownPost(default, post.subject, post.body_html, post_url(post), versions)
    shown = translations[language]
    return ShownPost(language, shown.subject, shown.body_html, versions[language], versions)
