"""System check: every endpoint that writes names the scope an API key needs for it.

Without one, a key's request to it would fail at run time; this says which view at start
(``manage.py check``, and so ``migrate`` and ``runserver``).
"""

from collections.abc import Sequence

from django.apps import AppConfig
from django.core.checks import CheckMessage, Error, register
from django.urls import URLPattern, URLResolver, get_resolver
from django.views import View

from apikeys.scopes import Scope

WRITE_METHODS = ("post", "put", "patch", "delete")


def view_classes(patterns: Sequence[URLPattern | URLResolver] | None = None) -> list[type[View]]:
    """Every class-based view routed in the URLconf (once each)."""
    seen: list[type[View]] = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            found = view_classes(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            view_class = getattr(pattern.callback, "view_class", None)
            found = [view_class] if view_class is not None else []
        else:
            found = []
        seen += [view_class for view_class in found if view_class not in seen]
    return seen


@register()
def check_write_scopes(app_configs: Sequence[AppConfig] | None, **kwargs: object) -> list[CheckMessage]:
    from pinpublisher.api import TenantApi

    errors: list[CheckMessage] = []
    for view_class in view_classes():
        if not issubclass(view_class, TenantApi):
            continue
        writes = [method.upper() for method in WRITE_METHODS if hasattr(view_class, method)]
        if not writes:
            continue
        if view_class.write_scope not in Scope.values or view_class.write_scope == Scope.READ:
            errors.append(
                Error(
                    f"{view_class.__module__}.{view_class.__qualname__} answers {', '.join(writes)} but its "
                    f"write_scope is {view_class.write_scope!r}.",
                    hint=f"Set write_scope to one of {', '.join(s for s in Scope.values if s != Scope.READ)} "
                    "(apikeys.scopes.Scope).",
                    id="apikeys.E001",
                )
            )
    return errors
