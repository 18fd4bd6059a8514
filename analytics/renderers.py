"""CSV answers of the analytics endpoints (``?format=csv`` or ``Accept: text/csv``)."""

import csv
import io
import json
from collections.abc import Mapping
from typing import Any

from rest_framework.renderers import BaseRenderer


class CsvRenderer(BaseRenderer):
    """A list of flat rows (dicts of one shape) as CSV with a header line. An error answer stays
    the API's JSON error body, said so by its Content-Type."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Mapping[str, Any] | None = None
    ) -> bytes:
        response = (renderer_context or {}).get("response")
        if not isinstance(data, list):
            if response is not None:
                response["Content-Type"] = "application/json"
            return json.dumps(data).encode()
        out = io.StringIO()
        if data:
            writer = csv.DictWriter(out, fieldnames=list(data[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(data)
        return out.getvalue().encode()
