"""Times as the wire carries them (RFC 3339) turned into what the official SDK returns."""

TYPE_CHECKING = False
if TYPE_CHECKING:
    from datetime import datetime
    from typing import Optional


def parse_rfc3339(text: str) -> "Optional[datetime]":
    """An RFC 3339 time (``2025-01-02T03:04:05.123456789Z``) as an aware datetime, or None
    when it is not one. ``fromisoformat`` of Python 3.9 takes neither ``Z`` nor more than six
    digits of fraction, so both are normalised first."""
    from datetime import datetime  # only when a listing has times: keeps import fast

    text = text.strip()
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    date, sep, rest = text.partition("T") if "T" in text else text.partition(" ")
    dot = rest.find(".")
    if dot >= 0:
        end = dot + 1
        while end < len(rest) and rest[end].isdigit():
            end += 1
        digits = (rest[dot + 1 : end] + "000000")[:6]
        rest = rest[:dot] + "." + digits + rest[end:]
    try:
        when = datetime.fromisoformat(date + sep + rest)
    except ValueError:
        return None
    # The official type is an aware datetime; a time without offset is taken as UTC.
    if when.tzinfo is None:
        from datetime import timezone

        when = when.replace(tzinfo=timezone.utc)
    return when
