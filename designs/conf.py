"""The designs app's settings, read here and nowhere else."""

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    #: Font files tried, in order, for characters the project's font lacks (Chinese, Japanese,
    #: Korean...). None: the renderer's list of Debian's paths (Droid Sans Fallback, Noto CJK,
    #: WenQuanYi), each used when installed. A character no font has is left out and reported.
    "DESIGNS_FALLBACK_FONTS": None,
}


class DesignsSettings:
    def __getattr__(self, name: str) -> Any:
        if name not in DEFAULTS:
            raise AttributeError(name)
        value = getattr(settings, name, None)
        return DEFAULTS[name] if value is None else value


designs_settings = DesignsSettings()
