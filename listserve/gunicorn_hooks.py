"""Gunicorn server hooks for the web workers (`listserve serve`; bench/web.py passes the same
file to gunicorn with `-c python:listserve.gunicorn_hooks`)."""

import gc


def post_worker_init(worker) -> None:
    """Freeze what start-up made (the app, its modules and their objects: ~147k), so the
    garbage collector's full collections no longer walk it. Unfrozen, such a collection took
    ~100 ms on the project's machine, holding the GIL: every request in the worker waited,
    which is what a page's 99th percentile is made of. The delivery worker does the same."""
    gc.freeze()
