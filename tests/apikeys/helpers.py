"""What the API key tests share: where a whole key could hide."""

from django.db import connection


def tables_holding(text: str) -> list[str]:
    """The database tables with a value that contains ``text`` (every row, every column)."""
    found = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {quote(table)}")
            if any(text in repr(row) for row in cursor.fetchall()):
                found.append(table)
    return found
