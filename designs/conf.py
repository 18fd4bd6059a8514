"""The designs app's settings, read here and nowhere else."""

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    #: Font files tried, in order, for characters the project's font lacks (Chinese, Japanese,
    #: Korean...). None: the renderer's list of Debian's paths (Droid Sans Fallback, Noto CJK,
    #: WenQuanYi), each used when installed. A character no font has is left out and reported.
    "DESIGNS_FALLBACK_FONTS": None,
    #: Seconds a rendered design is kept (``designs.cache``), keyed by its inputs; 0 turns it off.
    "DESIGNS_CACHE_SECONDS": 24 * 3600,
    #: The alias in CACHES holding rendered designs (a JPEG design is about 300 KB).
    "DESIGNS_CACHE": "default",
}


class DesignsSettings:
    def __getattr__(self, name: str) -> Any:
        if name not in DEFAULTS:
            raise AttributeError(name)
        value = getattr(settings, name, None)
        return DEFAULTS[name] if value is None else value


designs_settings = DesignsSettings()
