"""The admin's form for a new API key: whom it acts as, its name, scopes and life."""

from django import forms
from django.contrib.auth.models import AnonymousUser, User
from django.http import QueryDict

from apikeys.scopes import Scope
from apikeys.selectors import users_who_may_own_keys

EXPIRY_DAYS_MAX = 3650


class OwnerChoiceField(forms.ModelChoiceField):
    """A user who may own keys, shown with their tenant."""

    def label_from_instance(self, obj: User) -> str:
        return f"{obj.membership.tenant} / {obj.username}"


class ApiKeyCreateForm(forms.Form):
    owner = OwnerChoiceField(
        queryset=users_who_may_own_keys().none(),
        help_text="The key acts as this user, in the user's tenant. Staff of a tenant make keys for themselves.",
    )
    name = forms.CharField(max_length=100, help_text="What the key is for, e.g. the integration that uses it.")
    scopes = forms.MultipleChoiceField(
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[Scope.READ],
        help_text="What the key may do: give it only what its integration needs.",
    )
    expires_in_days = forms.IntegerField(
        min_value=1,
        max_value=EXPIRY_DAYS_MAX,
        required=False,
        help_text="Empty: the key never expires (revoke it when it is no longer needed).",
    )

    def __init__(self, data: QueryDict | None = None, *, user: User | AnonymousUser) -> None:
        """``user``: who fills the form in (the admin's request user)."""
        super().__init__(data)
        if user.is_superuser:
            owners = users_who_may_own_keys()
        else:
            # Staff act for themselves: a key made here must not let them act as someone else.
            owners = users_who_may_own_keys().filter(pk=user.pk)
            self.fields["owner"].initial = user.pk
        owner_field = self.fields["owner"]
        assert isinstance(owner_field, OwnerChoiceField)  # declared above
        owner_field.queryset = owners
