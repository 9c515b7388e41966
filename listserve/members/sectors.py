"""The sectors a member may name: those of the network's ecosystem page and the launch
announcement's examples of what a solidarity economy looks like."""

from flask_babel import lazy_gettext as _l

SECTORS = {
    "cooperatives": _l("Cooperatives (worker, producer, consumer, housing, financial)"),
    "exchange": _l("Local exchange systems and complementary currencies"),
    "fair-trade": _l("Fair trade and solidarity finance"),
    "social-enterprise": _l("Social enterprises"),
    "local-business": _l("High-road locally owned businesses"),
    "commons": _l("Reclaiming the commons"),
    "finance": _l("Credit unions, social investment and worker-controlled funds"),
    "land-trusts": _l("Land trusts"),
    "housing": _l("Housing, co-housing and eco-villages"),
    "agriculture": _l("Community supported agriculture and food"),
    "green": _l("Green technology and ecological production"),
    "open-source": _l("Open source and knowledge commons"),
    "care": _l("Care and volunteer work"),
    "participatory-budgeting": _l("Participatory budgeting"),
    "media": _l("Media"),
    "arts-culture": _l("Arts and culture"),
    "research": _l("Research and education"),
    "networks": _l("Networks and coalitions"),
    "other": _l("Other"),
}


def sector_label(key: str) -> str:
    label = SECTORS.get(key)
    return str(label) if label is not None else key
