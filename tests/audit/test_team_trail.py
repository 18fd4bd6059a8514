"""The trail of the team's and the sign-in's writes (issue 29): no secret ever reaches it, an
invitee accepting is the actor of their own acceptance, a feed's edit of an article is recorded."""

import json

import pyotp
import pytest

from accounts.models import TwoFactorDevice
from audit.models import AuditEvent
from tests.audit.recipes_team import _invite
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db


def _events_text(**filters):
    return json.dumps(list(AuditEvent.objects.filter(**filters).values_list("changes", flat=True)))


def test_an_invitations_token_and_its_hash_never_reach_the_trail():
    sent = _invite()
    text = _events_text(action="invitation.create")
    assert sent.token not in text
    assert sent.invitation.token_hash not in text
    assert '"token_hash": ["(secret)", "(changed)"]' in text


def test_a_two_factor_secret_never_reaches_the_trail_on_or_off():
    from accounts.services.two_factor import two_factor_begin, two_factor_confirm, two_factor_disable

    user = make_user()
    setup = two_factor_begin(user=user)
    two_factor_confirm(user=user, code=pyotp.TOTP(setup.secret).now())
    two_factor_disable(user=user)
    assert not TwoFactorDevice.objects.filter(user=user).exists()
    text = _events_text(action__startswith="user.two_factor_")
    assert AuditEvent.objects.filter(action__startswith="user.two_factor_").count() == 2
    assert setup.secret not in text
    assert '"secret": ["(secret)", "(changed)"]' in text


def test_the_invitee_who_accepts_is_the_actor_of_the_acceptance_and_of_their_membership():
    from accounts.services.invitations import invitation_accept

    sent = _invite()
    invitation_accept(token=sent.token, username="newcomer", password="a long passphrase 42")
    for action in ("invitation.accept", "member.create"):
        event = AuditEvent.objects.get(action=action)
        assert (event.actor_kind, event.actor_label) == ("person", "newcomer")
        assert event.tenant_id == sent.invitation.tenant_id


def test_a_feeds_edit_of_an_article_is_recorded_and_an_unchanged_entry_is_not():
    from publishing.services.content.feed_articles import FeedArticle, article_upsert_from_feed

    article = make_article(url="https://blog.example.com/soup", title="Soup")
    entry = FeedArticle(url=article.url, canonical_url=article.url, title="Better soup")
    article_upsert_from_feed(project_id=article.project_id, entry=entry)
    article_upsert_from_feed(project_id=article.project_id, entry=entry)
    (event,) = AuditEvent.objects.filter(action="article.update", object_id=str(article.pk))
    assert event.changes["title"] == ["Soup", "Better soup"]
    assert (event.actor_kind, event.actor_label) == ("job", "pytest")


def test_removing_a_member_records_the_removal_and_each_key_revoked():
    from publishing.services.members import member_remove
    from tests.factories import make_api_key

    owner = make_user()
    member = make_user(tenant=owner.membership.tenant, role="editor")
    key = make_api_key(member).api_key
    membership_id = member.membership.pk
    member_remove(tenant=owner.membership.tenant, membership_id=membership_id)
    assert AuditEvent.objects.filter(action="member.remove", object_id=str(membership_id)).exists()
    assert AuditEvent.objects.get(action="api_key.revoke", object_id=str(key.pk)).changes["revoked_at"][0] is None


def test_a_pins_history_says_it_was_sent_for_review_and_sent_back_in_words():
    from planner.history import history_rows
    from publishing.services.content.review import pin_review_reject
    from tests.audit.recipes_content import _in_review

    pin, owner = _in_review()
    pin_review_reject(pin=pin, by=owner, comment="A brighter photo, please")
    whats = [row.what for row in history_rows(tenant=pin.project.tenant, object_type="pin", object_id=pin.pk)]
    assert "Sent for review" in whats
    assert "Sent back with a comment" in whats


def test_inviting_an_address_again_records_the_withdrawal_of_its_earlier_link():
    from accounts.services.invitations import invitation_create

    first = _invite(email="twice@example.com")
    invitation_create(tenant=first.invitation.tenant, invited_by=first.invitation.invited_by,
                      email="twice@example.com", role=first.invitation.role, site_url="https://pins.example.com")
    event = AuditEvent.objects.get(action="invitation.revoke", object_id=str(first.invitation.pk))
    assert event.changes["revoked_at"][0] is None
