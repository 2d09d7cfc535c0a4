"""Stubs for planbook_xlsx._xlsx (internal)."""
import os
from typing import Optional, Union

from planbook._core import PlanCore

LIBXLSXWRITER_VERSION: str
SHORTEST_NUMBERS: int

def write(plan: PlanCore, path: Union[str, bytes, os.PathLike], constant_memory: bool = ...,
          cached_results: bool = ..., tmpdir: Optional[Union[str, os.PathLike]] = ...,
          structure: Optional[str] = ...) -> None: ...
def verify(path: Union[str, bytes, os.PathLike]) -> None: ...
def zip_checked() -> Optional[int]: ...
