"""A notice to one subscriber about their subscription: to their address, greeting them by
name, in their language (Content-Language), through the outbox."""

from listserve.delivery.outbox import enqueue_notice
from listserve.subscriptions.models import Subscription


def notify(subscription: Subscription, purpose: str, template: str, subject, **context) -> None:
    """`subject` may be lazy (_l): it is rendered in the subscriber's language."""
    enqueue_notice(
        purpose=purpose,
        template=template,
        subject=subject,
        language=subscription.mail_language,
        mailing_list=subscription.mailing_list,
        recipient=subscription.subscriber.email,
        recipient_name=subscription.subscriber.name,
        subscription=subscription,
        **context,
    )
