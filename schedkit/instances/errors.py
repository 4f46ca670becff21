"""The one error type for a user's bad input."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["InputError", "did_you_mean"]


class InputError(ValueError):
    """Bad input from a user: a malformed file, field or option.

    The message is one line that names where the problem is (file, line, field) and what it is.
    The CLI prints it to stderr and exits with status 2; library callers catch it like a
    ``ValueError``.

    Parameters
    ----------
    message
        What is wrong, e.g. ``"must be a non-negative integer, got -3"``.
    field
        Dotted path of the offending field, e.g. ``"data.jobs[2].operations[0].duration"``.
    source
        File the input came from, if any.
    line
        1-based line number in ``source``, where there is one.
    """

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        source: str | None = None,
        line: int | None = None,
    ) -> None:
        self.message = message
        self.field = field
        self.source = source
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.source is not None:
            where = str(self.source)
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        elif self.line is not None:
            where = f"line {self.line}: "
        if self.field:
            where += f"{self.field}: "
        return (where + self.message).replace("\n", " ")

    def located(
        self, source: str | None = None, line: int | None = None, field_prefix: str | None = None
    ) -> InputError:
        """Return a copy that also names ``source``/``line`` (kept if already set)."""
        field = self.field
        if field_prefix:
            field = f"{field_prefix}.{field}" if field else field_prefix
        return InputError(
            self.message,
            field=field,
            source=self.source if self.source is not None else source,
            line=self.line if self.line is not None else line,
        )


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` naming the closest of ``choices`` to a misspelled ``word``,
    or ``""`` when none is close (:func:`difflib.get_close_matches`' default cutoff). Callers
    put it right after the name they could not find."""
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1)
    return f"; did you mean {close[0]!r}?" if close else ""
