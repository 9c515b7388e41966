"""The base of every schema the API reads: text no database can store (NUL, lone
surrogates from a JSON "\\ud800") is refused with 422 before any service sees it."""

from marshmallow import Schema, ValidationError, pre_load
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict


def _unstorable(value) -> bool:
    if isinstance(value, str):
        if "\0" in value:
            return True
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_unstorable(k) or _unstorable(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_unstorable(item) for item in value)
    return False


class Input(Schema):
    @pre_load
    def refuse_unstorable_text(self, data, **kwargs):
        items = data.items() if hasattr(data, "items") else []
        bad = {str(key): ["NUL bytes and lone surrogates are not allowed."]
               for key, value in items if _unstorable(key) or _unstorable(value)}
        if bad:
            raise ValidationError(bad)
        return data


class ApiParser(FlaskParser):
    """webargs' Flask parser, but location="files" reads a whole multipart body: its file
    parts and its text parts (flask-smorest documents that location as one
    multipart/form-data schema, so the text fields belong to it)."""

    def load_files(self, req, schema):
        return self._makeproxy(CombinedMultiDict([req.files, req.form]), schema)
