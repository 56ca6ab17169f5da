"""Factories for test data."""

import factory
from django.contrib.auth.models import Group

from people.models import User
from people.roles import Role


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    first_name = "نام"
    last_name = "خانوادگی"
    password = factory.PostGenerationMethodCall("set_password", "pass-1234-word")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            for role in extracted:
                group, _ = Group.objects.get_or_create(name=Role(role).value)
                self.groups.add(group)
        if create:
            self.save()


def seated(user, committee):
    """The person holds a member's seat on the committee (drafting asks for one), once."""
    from people.models import Membership
    from people.services import membership_grant

    if committee is not None and not Membership.objects.filter(user=user, committee=committee).exists():
        membership_grant(committee=committee, user=user, seat=Membership.Seat.MEMBER)
    return user
