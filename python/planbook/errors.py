"""planbook's exceptions: one hierarchy, declared once.

Every error planbook raises on purpose is a :class:`PlanbookError` and says
where the problem is: the file, 1-based line and column, and the data path
in the plan (``budgets.subjective.rows[3].values[1]``), or the sheet and
cell for a workbook.

>>> err = ReadError("unknown key 'titel'", file="plan.yaml", line=3, column=3,
...                 path="plan.titel")
>>> str(err)
"plan.yaml:3:3: plan.titel: unknown key 'titel'"
"""

from __future__ import annotations

import os
from typing import Any, Callable, Dict, List, Optional, Tuple, Type, TypeVar, Union

__all__ = [
    "PlanbookError",
    "ReadError",
    "WriteError",
    "ValidationError",
    "AmountError",
    "FormatError",
]


class PlanbookError(Exception):
    """Base class of planbook's errors.

    Attributes
    ----------
    message : str
        What is wrong, without the location.
    file : str or None
        The file being read or written.
    line, column : int or None
        1-based position in the file (YAML).
    path : str or None
        Where in the plan: ``budgets.savings.rows[2].values[0]``.
    sheet, cell : str or None
        Where in a workbook (Excel formats).
    code : str or None
        A stable short name of the kind of error (``"schema"``, ``"overflow"``).
    """

    def __init__(self, message: str, *, file: Union[str, "os.PathLike[str]", None] = None,
                 line: Optional[int] = None, column: Optional[int] = None,
                 path: Optional[str] = None, sheet: Optional[str] = None,
                 cell: Optional[str] = None, code: Optional[str] = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = None if file is None else str(file)
        self.line = line
        self.column = column
        self.path = path
        self.sheet = sheet
        self.cell = cell
        self.code = code

    @property
    def location(self) -> str:
        """``file:line:column`` (or ``file:sheet!cell``), as far as known."""
        parts: List[str] = []
        if self.file:
            parts.append(self.file)
        if self.line:
            parts.append(str(self.line))
            if self.column:
                parts.append(str(self.column))
        loc = ":".join(parts)
        if self.sheet:
            cell = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
            loc = f"{loc}:{cell}" if loc else cell
        return loc

    def __str__(self) -> str:
        prefix = self.location
        if prefix and self.file is not None and prefix == self.file and self.file in self.message:
            prefix = ""  # the sentence names the file itself (a failed save)
        if self.path:
            prefix = f"{prefix}: {self.path}" if prefix else self.path
        return f"{prefix}: {self.message}" if prefix else self.message

    def __reduce__(self) -> Tuple[Callable[..., PlanbookError],
                                  Tuple[Type[PlanbookError], str, Dict[str, Any]]]:
        return (_rebuild, (type(self), self.message, {
            "file": self.file, "line": self.line, "column": self.column,
            "path": self.path, "sheet": self.sheet, "cell": self.cell,
            "code": self.code}))


_E = TypeVar("_E", bound=PlanbookError)


def _rebuild(cls: Type[_E], message: str, kwargs: Dict[str, Any]) -> _E:
    return cls(message, **kwargs)


class ReadError(PlanbookError, ValueError):
    """A file could not be read as a plan (not well-formed, or not a plan)."""


class WriteError(PlanbookError, OSError):
    """A plan could not be written.  The previous file is left as it was."""


class ValidationError(PlanbookError, ValueError):
    """An edit or a value that the model does not allow."""


class AmountError(ValidationError):
    """Text that is not an amount, or an amount beyond the fixed-point range
    or with more decimals than its column allows."""


class FormatError(PlanbookError, LookupError):
    """No reader or writer is registered for a file's format."""


class ReadWarning(UserWarning):
    """Something in a file that the plan cannot hold (a merged range, a
    comment on a figure, a sheet that is not a table): reported when the
    file is read, naming the sheet and cell, instead of dropped silently."""
