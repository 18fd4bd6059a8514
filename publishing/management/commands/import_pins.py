from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from publishing.models import BlogProject
from publishing.services.csv_import import pins_import_csv


class Command(BaseCommand):
    help = (
        "Import pins from a CSV in Pinterest's bulk-create format (Title, Media URL, Pinterest board, "
        "Thumbnail, Description, Link, Publish date, Keywords, Alt text) into a project. All or nothing: "
        "any bad row imports nothing and every problem is listed by row (the header is row 1)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Path of the CSV file (UTF-8).")
        parser.add_argument("--project", type=int, required=True, help="Id of the project to import into.")
        parser.add_argument("--dry-run", action="store_true", help="Check every row, import nothing.")

    def handle(self, *args: object, **options: Any) -> None:
        project = BlogProject.objects.filter(pk=options["project"]).first()
        if project is None:
            raise CommandError(f"Project {options['project']} not found.")
        try:
            with open(options["file"], "rb") as handle:
                data = handle.read()
        except OSError as err:
            raise CommandError(f"Cannot read {options['file']}: {err.strerror}.") from None
        try:
            result = pins_import_csv(project=project, data=data, dry_run=options["dry_run"])
        except ValidationError as err:
            problems = [f"{field}: {message}" if field != "file" else message
                        for field, messages in err.message_dict.items() for message in messages]
            for problem in problems[:-1]:
                self.stderr.write(problem)
            raise CommandError(
                problems[-1] if len(problems) == 1
                else f"{len(problems) - 1} problem(s) found in {options['file']}; nothing was imported."
            ) from None
        verb = "Would import" if result.dry_run else "Imported"
        self.stdout.write(self.style.SUCCESS(
            f"{verb} {result.pins_created} pins into project {project.name!r}: {result.scheduled} scheduled at "
            f"their publish date, {result.queued} queued; {result.articles_created} new articles, "
            f"{result.articles_reused} reused."
        ))
        for note in result.notes:
            self.stdout.write(note)
