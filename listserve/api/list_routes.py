"""GET /lists: the mailing lists."""

import sqlalchemy as sa
from werkzeug.exceptions import NotFound

from listserve.api import bp
from listserve.api.auth import requires
from listserve.api.models import Scope
from listserve.api.schemas import MailingListOut
from listserve.core.lists import MailingList
from listserve.extensions import db


def list_out(ml: MailingList) -> dict:
    return {"id": ml.id, "slug": ml.slug, "name": ml.name, "address": f"{ml.slug}@{ml.domain}",
            "description": ml.description, "announce_only": ml.announce_only,
            "required_approvals": ml.required_approvals}


@bp.route("/lists", methods=["GET"])
@requires(Scope.READ)
@bp.response(200, MailingListOut(many=True))
def get_lists():
    """Every mailing list."""
    return [list_out(ml) for ml in db.session.scalars(sa.select(MailingList)
                                                      .order_by(MailingList.id))]


@bp.route("/lists/<int(max=2147483647):list_id>", methods=["GET"])
@requires(Scope.READ)
@bp.response(200, MailingListOut)
def get_list(list_id: int):
    """One mailing list."""
    ml = db.session.get(MailingList, list_id)
    if ml is None:
        raise NotFound("There is no list with this id.")
    return list_out(ml)
