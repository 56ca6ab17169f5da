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
