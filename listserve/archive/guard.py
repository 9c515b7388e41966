"""Who may moderate comments: any active committee member (the committee's own rule)."""

from listserve.committee.auth import member_required as committee_member_required

__all__ = ["committee_member_required"]
