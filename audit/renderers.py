"""The trail as CSV (``?format=csv`` or ``Accept: text/csv``): one event per line, fixed columns."""

import csv
import io
import json
from collections.abc import Mapping
from typing import Any

from rest_framework.renderers import BaseRenderer

from audit.serializers import CSV_COLUMNS


class AuditCsvRenderer(BaseRenderer):
    """Rows of ``CSV_COLUMNS`` with a header line, even when there are none; an error answer stays
    the API's JSON error body, said so by its Content-Type."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Mapping[str, Any] | None = None
    ) -> bytes:
        if not isinstance(data, list):
            response = (renderer_context or {}).get("response")
            if response is not None:
                response["Content-Type"] = "application/json"
            return json.dumps(data).encode()
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(data)
        return out.getvalue().encode()
