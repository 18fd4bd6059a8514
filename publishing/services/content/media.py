"""What a pin shows beyond one image, as stored: its board section found within the account, and
its carousel items saved. The rules (a section of the pin's board, a carousel of 2-5 images of one
size, a file that is a video) are ``publishing.rules``'s: ``rules.boards`` and ``rules.media``.
"""

from __future__ import annotations

from django.db import transaction

from pinterest.limits import CAROUSEL_MAX
from pinterest.models import Board, BoardSection
from publishing.models import CarouselItem, Pin
from publishing.rules import CarouselPlan, board_section_problem
from publishing.services.content.pin_checks import files_delete, image_name


def section_for(*, section_id: int | None, board: Board | None, errors: dict) -> BoardSection | None:
    """The section ``section_id`` of ``board``, or None (with the reason in ``errors``)."""
    if section_id is None:
        return None
    if board is None:
        errors.setdefault("board_section", []).append(
            "A board section needs the pin's board: give board too."
        )
        return None
    section = BoardSection.objects.filter(pk=section_id).select_related("board").first()
    if section is None or section.board.connection_id != board.connection_id:
        errors.setdefault("board_section", []).append(f"Board section {section_id} not found.")
        return None
    problem = board_section_problem(section, board)
    if problem:
        errors.setdefault("board_section", []).append(problem)
        return None
    return section


def carousel_save(*, pin: Pin, plans: list[CarouselPlan]) -> None:
    """Make the pin's carousel items exactly ``plans``, in order; files of dropped or replaced
    items are deleted once the transaction commits, new files are deleted if it fails."""
    storage = CarouselItem._meta.get_field("image").storage
    dropped = [item for item in pin.carousel_items.all() if item.pk not in {p.keep.pk for p in plans if p.keep}]
    saved: list[str] = []
    try:
        with transaction.atomic():
            CarouselItem.objects.filter(pk__in=[item.pk for item in dropped]).delete()
            # Positions are unique per pin: move every kept item out of the way first.
            for plan in plans:
                if plan.keep is not None:
                    CarouselItem.objects.filter(pk=plan.keep.pk).update(position=CAROUSEL_MAX + 1 + plan.position)
            for plan in plans:
                values = {"title": plan.title, "description": plan.description, "link": plan.link}
                if plan.keep is not None:
                    CarouselItem.objects.filter(pk=plan.keep.pk).update(position=plan.position, **values)
                    continue
                item = CarouselItem(pin=pin, position=plan.position, image_url=plan.image_url, **values)
                if plan.upload is not None:
                    item.image.save(image_name(plan.extension or "jpg"), plan.upload, save=False)
                    assert item.image.name is not None  # the name the storage gave it
                    saved.append(item.image.name)
                item.save()
    except BaseException:
        for name in saved:
            storage.delete(name)
        raise
    old_files = [item.image.name for item in dropped if item.image.name]
    if old_files:
        transaction.on_commit(lambda: files_delete(storage, old_files))


def carousel_drop(*, pin: Pin) -> None:
    """Remove the pin's carousel items (the pin is becoming an image or a video pin)."""
    carousel_save(pin=pin, plans=[])
