"""A language's name as its own speakers write it ("English", "Español"), for links between
the versions of a text in several languages."""

from babel import Locale, UnknownLocaleError


def language_name(code: str) -> str:
    try:
        name = Locale.parse(code).get_display_name(code)
    except (ValueError, UnknownLocaleError):
        return code
    return name[:1].upper() + name[1:] if name else code

