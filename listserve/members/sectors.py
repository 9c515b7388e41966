"""The sectors a member may name: those of the network's ecosystem page and the launch
announcement's examples of what a solidarity economy looks like."""

SECTORS = {
    "cooperatives": "Cooperatives (worker, producer, consumer, housing, financial)",
    "exchange": "Local exchange systems and complementary currencies",
    "fair-trade": "Fair trade and solidarity finance",
    "social-enterprise": "Social enterprises",
    "local-business": "High-road locally owned businesses",
    "commons": "Reclaiming the commons",
    "finance": "Credit unions, social investment and worker-controlled funds",
    "land-trusts": "Land trusts",
    "housing": "Housing, co-housing and eco-villages",
    "agriculture": "Community supported agriculture and food",
    "green": "Green technology and ecological production",
    "open-source": "Open source and knowledge commons",
    "care": "Care and volunteer work",
    "participatory-budgeting": "Participatory budgeting",
    "media": "Media",
    "arts-culture": "Arts and culture",
    "research": "Research and education",
    "networks": "Networks and coalitions",
    "other": "Other",
}


def sector_label(key: str) -> str:
    return SECTORS.get(key, key)
