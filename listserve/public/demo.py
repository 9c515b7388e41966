"""Demo content for a fresh site: `listserve demo`. Written for this project, in the spirit
of the network's launch announcement, so a newcomer sees a page that looks lived in."""

WELCOME = (
    "We are a young network of co-operatives, community lenders, land trusts, mutual-aid "
    "groups and researchers building an economy grounded in solidarity rather than narrow "
    "self-interest. Join the list to follow what we do next."
)

AIMS = [
    "Give the many isolated parts of the solidarity economy a shared identity and agenda.",
    "Make solidarity economy practices visible, legitimate and publicly supported.",
    "Connect with regional and international networks such as RIPESS North America.",
    "Push for public policies and resources that support the solidarity economy.",
    "Support research on what works, and training and technical help for practitioners.",
    "Build a movement for transformative social and economic justice.",
]

NEXT_STEPS = [
    {"title": "Mission statement and structure", "status": "under way",
     "body": "A provisional mission statement and structure, circulated for wide discussion."},
    {"title": "Membership drive", "status": "planned",
     "body": "An open invitation for organisations and individuals to join."},
    {"title": "Funding and fiscal sponsorship", "status": "under way",
     "body": "Exploring funding; a fiscal sponsor for the start-up stage."},
    {"title": "Action plan and timeline", "status": "planned",
     "body": "Set priorities with a broad coordinating committee and membership."},
    {"title": "Publish the forum presentations", "status": "done",
     "body": "Collect the economic-alternatives track into a book, and open the website."},
]

DIRECTORY = """\
## Allied networks

These networks support the solidarity economy; the committee keeps this list up to date.

#### International networks

- [RIPESS](https://www.ripess.org/) a global network of continental networks promoting the social solidarity economy.
- [Global Social Economy Forum](https://www.gsef-net.org/) (GSEF) local governments and civil society networks working together.

#### National networks

- [New Economy Coalition](https://neweconomy.net/) organisations building a new economy.
- [SeedCommons](https://seedcommons.org/) a national network of community-controlled loan funds.

#### Sector-based networks

- [US Federation of Worker Cooperatives](https://www.usworker.coop/) (worker co-ops)
- [Grounded Solutions](https://groundedsolutions.org/) (housing)
"""
