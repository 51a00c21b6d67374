from __future__ import annotations

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from nettpatrulje.accounts.models import Agency, User
from nettpatrulje.channels.models import Channel, Platform
from nettpatrulje.inbox.models import Contact, Conversation, Message


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"agency-{n}")
    name = factory.LazyAttribute(lambda o: f"Agency {o.slug}")
    country = "NO"
    timezone = "Europe/Oslo"
    opening_hours = factory.LazyFunction(
        lambda: {d: [["00:00", "23:59"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    agency = factory.SubFactory(AgencyFactory)
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-only")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        names = extracted if extracted is not None else ["officer"]
        self.groups.set([Group.objects.get_or_create(name=n)[0] for n in names])
        self.save()


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Channel

    agency = factory.SubFactory(AgencyFactory)
    platform = Platform.MESSENGER
    account_id = factory.Sequence(lambda n: f"{1000000 + n}")
    name = factory.LazyAttribute(lambda o: f"Page {o.account_id}")
    access_token = factory.Sequence(lambda n: f"token-{n}")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    channel = factory.SubFactory(ChannelFactory)
    agency = factory.LazyAttribute(lambda o: o.channel.agency)
    platform_id = factory.Sequence(lambda n: f"psid-{n}")


class ConversationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conversation

    contact = factory.SubFactory(ContactFactory)
    channel = factory.LazyAttribute(lambda o: o.contact.channel)
    agency = factory.LazyAttribute(lambda o: o.contact.agency)
    thread_key = factory.LazyAttribute(lambda o: o.contact.platform_id)
    last_inbound_at = factory.LazyFunction(timezone.now)


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    conversation = factory.SubFactory(ConversationFactory)
    agency = factory.LazyAttribute(lambda o: o.conversation.agency)
    channel = factory.LazyAttribute(lambda o: o.conversation.channel)
    direction = Message.Direction.INBOUND
    text = "hei"
    redacted_text = factory.LazyAttribute(lambda o: o.text)
    platform_message_id = factory.Sequence(lambda n: f"m_{n}")
