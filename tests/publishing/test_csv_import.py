"""CSV import in Pinterest's bulk-create format: the happy path, every row-level refusal, all or
nothing, the file-level refusals, the dry run and the command."""

import csv
import io
from datetime import UTC, datetime, time

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from publishing.models import BlogArticle, Pin, PinStatus, PostingSlot
from publishing.services.csv_import import pins_import_csv
from tests.factories import make_article, make_board, make_connection, make_pin, make_project

pytestmark = pytest.mark.django_db

NOW = datetime(2030, 5, 1, 8, 0, tzinfo=UTC)  # Wednesday
HEADER = ["Title", "Media URL", "Pinterest board", "Thumbnail", "Description", "Link", "Publish date", "Keywords",
          "Alt text"]


def to_csv(rows, header=HEADER):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header] if isinstance(row, dict) else row)
    return out.getvalue().encode()


def row(**cells):
    base = {"Title": "A pin", "Media URL": "https://img.example.com/a.jpg", "Pinterest board": "Recipes",
            "Link": "https://blog.example.com/a", "Publish date": "2030-05-02T09:00:00+02:00"}
    base.update({name.replace("_", " "): value for name, value in cells.items()})
    return base


@pytest.fixture
def project():
    connection = make_connection()
    make_board(connection=connection, name="Recipes")
    make_board(connection=connection, name="Travel")
    project = make_project(tenant=connection.tenant, connection=connection, timezone="Europe/Berlin")
    PostingSlot.objects.create(project=project, weekday=4, local_time=time(18, 0))  # Fridays 18:00 Berlin
    return project


def refusals(project, data, **kwargs):
    with pytest.raises(ValidationError) as refused:
        pins_import_csv(project=project, data=data, now=NOW, **kwargs)
    return refused.value.message_dict


def test_rows_become_scheduled_and_queued_pins_of_the_project(project):
    existing = make_article(project=project, url="https://blog.example.com/old")
    data = to_csv([
        row(Title="With offset", Keywords="soup, winter"),
        row(Title="Local time", **{"Publish date": "2030-05-03 10:30", "Pinterest board": "travel"}),
        row(Title="Queued", Link="https://blog.example.com/old", **{"Publish date": ""}),
        row(Title="Same article", **{"Publish date": "", "Alt text": "A bowl of soup"}),
    ])
    result = pins_import_csv(project=project, data=data, now=NOW)
    assert (result.rows, result.pins_created, result.scheduled, result.queued) == (4, 4, 2, 2)
    assert (result.articles_created, result.articles_reused) == (1, 1)
    assert result.notes and "Keywords" in result.notes[0]
    pins = {pin.title: pin for pin in Pin.objects.select_related("board", "article")}
    assert all(pin.status == PinStatus.READY_TO_SCHEDULE for pin in pins.values())
    assert pins["With offset"].scheduled_at == datetime(2030, 5, 2, 7, 0, tzinfo=UTC)
    assert pins["Local time"].scheduled_at == datetime(2030, 5, 3, 8, 30, tzinfo=UTC)  # 10:30 CEST
    assert pins["Local time"].board.name == "Travel"
    assert pins["Queued"].article == existing
    # The queue: Friday 3 May 18:00 and Friday 10 May 18:00 in Berlin.
    assert pins["Queued"].scheduled_at == datetime(2030, 5, 3, 16, 0, tzinfo=UTC)
    assert pins["Same article"].scheduled_at == datetime(2030, 5, 10, 16, 0, tzinfo=UTC)
    assert pins["Same article"].alt_text == "A bowl of soup"
    assert pins["Same article"].article == pins["With offset"].article
    assert all(pin.image_url == "https://img.example.com/a.jpg" and not pin.image for pin in pins.values())
    assert BlogArticle.objects.filter(project=project).count() == 2


def test_the_queue_goes_around_pins_already_on_the_account(project):
    sibling = make_project(tenant=project.tenant, connection=project.pinterest_connection)
    make_pin(project=sibling, board=project.pinterest_connection.boards.first(),
             scheduled_at=datetime(2030, 5, 3, 16, 0, tzinfo=UTC))
    pins_import_csv(project=project, data=to_csv([row(**{"Publish date": ""})]), now=NOW)
    assert Pin.objects.get(project=project).scheduled_at == datetime(2030, 5, 10, 16, 0, tzinfo=UTC)


REFUSALS = [
    ({"Title": "x" * 501}, "Title: This text is 501 characters long; at most 500 are accepted."),
    ({"Description": "x" * 10_001}, "Description: This text is 10001 characters long"),
    ({"Alt text": "x" * 5_001}, "Alt text: This text is 5001 characters long"),
    ({"Media URL": ""}, "Media URL: required"),
    ({"Media URL": "http://img.example.com/a.jpg"}, "Media URL: Must be an https URL."),
    ({"Media URL": "https://img.example.com/clip.mp4"}, "Media URL: a video cannot be imported from a URL"),
    ({"Media URL": "https://exa mple.com/a.jpg"}, "Media URL: 'https://exa mple.com/a.jpg' is not a valid URL."),
    ({"Link": ""}, "Link: required"),
    ({"Link": "ftp://blog.example.com/a"}, "Link: Must be an http or https URL."),
    ({"Pinterest board": ""}, "Pinterest board: required"),
    ({"Pinterest board": "Gardening"}, "Pinterest board: no board named 'Gardening' on the Pinterest account"),
    ({"Pinterest board": "Archived"}, "Pinterest board: Board 'Archived' is archived"),
    ({"Pinterest board": "Twins"}, "Pinterest board: 2 boards of"),
    ({"Publish date": "next friday"}, "Publish date: 'next friday' is not an ISO 8601 date and time"),
    ({"Publish date": "2030-05-02"}, "Publish date: '2030-05-02' has no time of day"),
    ({"Publish date": "2020-01-01T09:00Z"}, "Publish date: This time is in the past"),
]


@pytest.mark.parametrize("cells,message", REFUSALS, ids=[m.split(":")[0] + "-" + str(i) for i, (_, m) in
                                                        enumerate(REFUSALS)])
def test_a_bad_row_is_refused_with_its_row_number_column_and_reason(project, cells, message):
    connection = project.pinterest_connection
    make_board(connection=connection, name="Archived", is_archived=True)
    make_board(connection=connection, name="Twins")
    make_board(connection=connection, name="twins")
    problems = refusals(project, to_csv([row(), row(**cells)]))["file"]
    assert problems[0].startswith(f"row 3: {message}"), problems
    assert problems[-1] == "Nothing was imported."
    assert not Pin.objects.exists() and not BlogArticle.objects.exists()


def test_an_empty_date_without_posting_slots_is_refused(project):
    project.posting_slots.all().delete()
    (problem, _) = refusals(project, to_csv([row(**{"Publish date": ""})]))["file"]
    assert problem.startswith("row 2: Publish date: empty, and project")


def test_every_bad_row_is_listed_and_nothing_is_imported(project):
    data = to_csv([row(), row(Title="x" * 600, Link=""), row(), row(**{"Pinterest board": "Nope"})])
    problems = refusals(project, data)["file"]
    assert [p.split(":")[0] for p in problems[:-1]] == ["row 3", "row 3", "row 5"]
    assert problems[1].startswith("row 3: Link: required")
    assert not Pin.objects.exists() and not BlogArticle.objects.exists()


@pytest.mark.parametrize(
    "data,message",
    [
        (b"", "The file is empty"),
        (to_csv([], header=HEADER), "The file has a header but no rows."),
        (to_csv([["x"]], header=["Title", "Media URL", "Pinterest board", "Link", "Colour"]),
         "row 1: unknown column 'Colour'"),
        (to_csv([["x"]], header=["Title", "Media URL", "Link"]), "row 1: the column 'Pinterest board' is missing."),
        ("Title,Media URL\nCafé".encode("latin-1"), "The file is not UTF-8 text"),
        (to_csv([row()]) + b"a,b,c,d,e,f,g,h,i,j\n", "row 3: 10 cells, but the header names 9 columns."),
    ],
)
def test_a_file_that_is_not_a_bulk_create_csv_is_refused(project, data, message):
    assert refusals(project, data)["file"][0].startswith(message)


def test_a_project_without_a_pinterest_account_is_refused(project):
    project.pinterest_connection = None
    project.save()
    assert "No Pinterest account" in refusals(project, to_csv([row()]))["project"][0]


def test_a_dry_run_checks_everything_and_writes_nothing(project):
    result = pins_import_csv(project=project, data=to_csv([row(), row(**{"Publish date": ""})]), dry_run=True,
                             now=NOW)
    assert (result.dry_run, result.pins_created, result.queued) == (True, 2, 1)
    assert not Pin.objects.exists() and not BlogArticle.objects.exists()


def test_headers_match_ignoring_case_and_a_bom_and_blank_lines_are_skipped(project):
    cells = [row().get(column, "") for column in HEADER]
    data = b"\xef\xbb\xbf" + to_csv([cells], header=[h.upper() for h in HEADER]).replace(b"\r\n", b"\n") + b",,,\n"
    assert pins_import_csv(project=project, data=data, now=NOW).pins_created == 1


def test_the_command_imports_and_summarises(project, tmp_path, capsys):
    path = tmp_path / "pins.csv"
    path.write_bytes(to_csv([row(), row(**{"Publish date": ""})]))
    call_command("import_pins", str(path), "--project", str(project.pk))
    assert "Imported 2 pins into project" in capsys.readouterr().out
    assert Pin.objects.count() == 2


def test_the_command_exits_non_zero_listing_every_bad_row(project, tmp_path, capsys):
    path = tmp_path / "pins.csv"
    path.write_bytes(to_csv([row(), row(Link="")]))
    with pytest.raises(CommandError, match=r"1 problem\(s\) found in .*; nothing was imported."):
        call_command("import_pins", str(path), "--project", str(project.pk))
    assert "row 3: Link: required" in capsys.readouterr().err
    assert not Pin.objects.exists()


@pytest.mark.parametrize("args,message", [(["missing.csv", "--project", "{p}"], "Cannot read missing.csv"),
                                          (["{f}", "--project", "999999"], "Project 999999 not found.")])
def test_the_command_refuses_a_missing_file_or_project_in_one_line(project, tmp_path, args, message):
    path = tmp_path / "pins.csv"
    path.write_bytes(to_csv([row()]))
    with pytest.raises(CommandError, match=message):
        call_command("import_pins", *[a.format(p=project.pk, f=path) for a in args])


def test_a_board_section_is_matched_by_name_on_the_rows_board(project):
    from pinterest.models import Board, BoardSection

    recipes = Board.objects.get(name="Recipes")
    soups = BoardSection.objects.create(board=recipes, pinterest_section_id="11", name="Soups")
    BoardSection.objects.create(board=recipes, pinterest_section_id="12", name="Old", is_archived=True)
    header = [*HEADER, "Board section"]
    pins_import_csv(project=project, data=to_csv([row(**{"Board section": "soups"})], header=header), now=NOW)
    assert Pin.objects.get().board_section == soups

    problems = refusals(project, to_csv([row(**{"Board section": "Old"}),
                                         row(**{"Board section": "Soups", "Pinterest board": "Travel"})],
                                        header=header))["file"]
    assert problems[:2] == [
        "row 2: Board section: no section named 'Old' on board 'Recipes'; sync the boards if it is new.",
        "row 3: Board section: no section named 'Soups' on board 'Travel'; sync the boards if it is new.",
    ]


@pytest.mark.parametrize("column", ["Title", "Media URL", "Pinterest board", "Link", "Alt text"])
@pytest.mark.parametrize("dry_run", [True, False])
def test_a_nul_character_in_a_cell_is_refused_naming_row_and_column_in_both_modes(project, column, dry_run):
    cells = row(**{"Alt text": "An alt text"})
    cells[column] = cells[column][:3] + "\x00" + cells[column][3:]
    problems = refusals(project, to_csv([row(), cells]), dry_run=dry_run)["file"]
    assert problems == [
        f"row 3: {column}: contains a NUL character (\\x00), which no text can hold; remove it.",
        "Nothing was imported.",
    ]
    assert not Pin.objects.exists() and not BlogArticle.objects.exists()
