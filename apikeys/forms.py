"""The admin's form for a new API key: whom it acts as, its name, scopes and life."""

from django import forms

from apikeys.scopes import Scope
from apikeys.selectors import users_who_may_own_keys

EXPIRY_DAYS_MAX = 3650


class ApiKeyCreateForm(forms.Form):
    owner = forms.ModelChoiceField(
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

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if user.is_superuser:
            owners = users_who_may_own_keys()
        else:
            # Staff act for themselves: a key made here must not let them act as someone else.
            owners = users_who_may_own_keys().filter(pk=user.pk)
            self.fields["owner"].initial = user.pk
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = lambda owner: f"{owner.membership.tenant} / {owner.username}"
