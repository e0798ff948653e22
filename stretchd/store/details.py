"""A history row's detail, and a note of `status`, as a person reads it.

Details are stored in English as they were written ("held 12 min: microphone in use", "again:
stretchd restarted, 5 min late"), a record that does not change with the language, and shown
in the person's language by `stretchd history`: the fixed ones looked up, the ones carrying a
number, a name or a time taken apart and put again into the translated sentence. A detail
not known here (from an older or newer stretchd) is shown as it is."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from stretchd.i18n import N_, _, ngettext

# TRANSLATORS: details of rows in `stretchd history`, after the row's kind (skipped, shown...).
FIXED = {
    "in advance": N_("in advance"),  # skipped before it was due
    "the clock went back": N_("the clock went back"),
    "body clicked": N_("body clicked"),  # Start, by a click on the notification itself
    "paused": N_("paused"),
    "unanswered when stretchd stopped": N_("unanswered when stretchd stopped"),
    "after an unskip": N_("after an unskip"),
    "Start did not work": N_("Start did not work"),
    "the notification server went away": N_("the notification server went away"),
    "stretchd restarted": N_("stretchd restarted"),
}


@functools.cache
def _parsers() -> list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]]:
    def n(m: re.Match[str], group: int = 1) -> int:
        return int(m[group])

    return [
        # TRANSLATORS: a history detail: shown again, and why ({why}, itself a detail).
        (re.compile(r"again: (.+)"), lambda m: _("again: {why}").format(why=detail_text(m[1]))),
        # TRANSLATORS: a history detail: {what} (a detail), then how late it showed.
        (re.compile(r"(.+), (\d+) min late"), lambda m: _("{what}, {late}").format(
            what=detail_text(m[1]), late=detail_text(f"{m[2]} min late"))),
        (re.compile(r"(\d+) min late"),
         lambda m: ngettext("{n} min late", "{n} min late", n(m)).format(n=n(m))),
        (re.compile(r"after (\d+) snoozes?"),
         lambda m: ngettext("after {n} snooze", "after {n} snoozes", n(m)).format(n=n(m))),
        # TRANSLATORS: a history detail; {reason} says what held it ("microphone in use").
        (re.compile(r"held (\d+) min: (.+)"), lambda m: ngettext(
            "held {n} min: {reason}", "held {n} min: {reason}", n(m)).format(n=n(m), reason=_(m[2]))),
        (re.compile(r"after (\d+) min held: (.+)"), lambda m: ngettext(
            "after {n} min held: {reason}", "after {n} min held: {reason}", n(m)).format(
            n=n(m), reason=_(m[2]))),
        (re.compile(r"while held: (.+)"), lambda m: _("while held: {reason}").format(reason=_(m[1]))),
        # TRANSLATORS: a history detail: a reminder's notification replaced by {reminder}'s.
        (re.compile(r"by (\S+)"), lambda m: _("by {reminder}").format(reminder=m[1])),
    ]


def detail_text(detail: str) -> str:
    """detail in the person's language (as it is when not known here)."""
    if not detail:
        return detail
    if detail in FIXED:
        return _(FIXED[detail])
    for pattern, said in _parsers():
        m = pattern.fullmatch(detail)
        if m:
            return said(m)
    return detail


# The notes of status()'s "next" as its data keeps them (English, for --json and the daemon's
# own reading of them), each with its text for a person: note_text() translates one.
# TRANSLATORS: a note after a reminder in `stretchd status`, in brackets: "(skipped)".
NOTES = {"skipped": N_("skipped"), "paused": N_("paused"), "snoozed": N_("snoozed"),
         # TRANSLATORS: notes after a reminder in `stretchd status`: today's occurrence of it was
         # answered (started, dismissed...) already, so it does not show again today.
         "started already today": N_("started already today"),
         "dismissed already today": N_("dismissed already today"),
         "superseded already today": N_("superseded already today"),
         "missed already today": N_("missed already today")}


def note_text(note: str) -> str:
    """A note of status()'s "next" ("skipped", "paused"...) as a person reads it, in their
    language; "" stays "" (and a note not known stays as it is)."""
    return _(NOTES[note]) if note in NOTES else note
