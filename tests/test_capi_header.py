"""The C API's headers: all shipped, and none changed without a version bump.

planbook.get_include() must hold planbook_capi.h, planbook_py.h and every
header they reach through #include "..." (setup.py copies them into the
built package).  Their contents, normalised (comments and spacing dropped,
the version lines left out), are hashed and compared with the pair
(hash, versions) recorded in csrc/pb_api.abi: a change to any shared
struct, enum, macro or prototype must bump PB_API_VERSION / PB_CAPI_VERSION
(incompatible) or PB_API_MINOR / PB_CAPI_MINOR (only appended), then be
recorded again:

    python tests/test_capi_header.py --record
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RECORD = ROOT / "csrc" / "pb_api.abi"
VERSIONS = ("PB_CAPI_VERSION", "PB_CAPI_MINOR", "PB_API_VERSION", "PB_API_MINOR")
VERSION_LINE = re.compile(r"^[ \t]*#[ \t]*define[ \t]+(%s)[ \t]+(\d+)[ \t]*$" % "|".join(VERSIONS),
                          re.M)


def include_dirs():
    if "planbook" not in sys.modules and (ROOT / "csrc").is_dir():
        sys.path.insert(0, str(ROOT / "python"))  # --record from a checkout
    import planbook
    return [Path(d) for d in planbook.get_include()]


def shipped(dirs):
    """{name: path} of the headers the C API reaches, from dirs."""
    from planbook._capi_headers import reached
    return {name: None if path is None else Path(path) for name, path in reached(dirs).items()}


def normalised(text: str) -> str:
    """The header as the compiler sees it, for hashing: no comments, no
    version lines, one space for any run of blanks, no empty lines."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    text = VERSION_LINE.sub("", text)
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line) + "\n"


def fingerprint(headers):
    """(sha256 of the normalised headers, {version macro: number})."""
    h = hashlib.sha256()
    versions = {}
    for name in sorted(headers):
        text = headers[name].read_text(encoding="utf-8")
        versions.update((m.group(1), int(m.group(2))) for m in VERSION_LINE.finditer(text))
        h.update(name.encode() + b"\0" + normalised(text).encode() + b"\0")
    return h.hexdigest(), versions


def read_record():
    digest, versions = None, {}
    for line in RECORD.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        key, value = line.split()
        if key == "sha256":
            digest = value
        else:
            versions[key] = int(value)
    return digest, versions


def record():
    digest, versions = fingerprint(shipped(include_dirs()))
    lines = ["# The C API's shipped headers (planbook.get_include()), normalised and hashed,",
             "# with the versions they were recorded at: tests/test_capi_header.py.",
             "# After bumping a version: python tests/test_capi_header.py --record",
             f"sha256 {digest}"] + [f"{k} {versions[k]}" for k in VERSIONS]
    RECORD.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"recorded {RECORD}: " + ", ".join(f"{k} {versions[k]}" for k in VERSIONS))


def test_every_header_of_the_c_api_is_in_get_include():
    headers = shipped(include_dirs())
    missing = sorted(n for n, p in headers.items() if p is None)
    assert not missing, f"planbook.get_include() lacks {missing}, included by the C API"
    assert {"planbook_capi.h", "planbook_py.h", "pb_api.h", "pb_api_list.h",
            "planbook.h"} <= set(headers)


def test_runtime_versions_are_the_headers():
    from planbook import plugin
    _, versions = fingerprint(shipped(include_dirs()))
    assert plugin.C_API_VERSION == (versions["PB_CAPI_VERSION"], versions["PB_API_VERSION"])


@pytest.mark.skipif(not RECORD.is_file(), reason="csrc/pb_api.abi is in the source tree only")
def test_headers_changed_only_with_a_version_bump():
    digest, versions = fingerprint(shipped(include_dirs()))
    old_digest, old_versions = read_record()
    now = ", ".join(f"{k} {versions[k]}" for k in VERSIONS)
    was = ", ".join(f"{k} {old_versions.get(k)}" for k in VERSIONS)
    assert [versions[k] for k in VERSIONS] >= [old_versions.get(k, 0) for k in VERSIONS], (
        f"a C API version went down ({was} recorded, now {now})")
    if digest != old_digest and versions == old_versions:
        pytest.fail(
            "a header of the C API changed (planbook_capi.h or one it includes) but its "
            f"version did not ({now}).  Bump PB_API_VERSION in csrc/pb_api.h (or "
            "PB_CAPI_VERSION in python/planbook/include/planbook_capi.h) when a member, "
            "type, enum or macro changed: plugins built before must be rebuilt; or "
            "PB_API_MINOR / PB_CAPI_MINOR when functions or members were only appended. "
            "Then record the headers again: python tests/test_capi_header.py --record")
    assert (digest, versions) == (old_digest, old_versions), (
        f"the C API's versions are now {now} (recorded: {was}) and its headers changed "
        "with them: record them with python tests/test_capi_header.py --record")


if __name__ == "__main__":
    if sys.argv[1:] != ["--record"]:
        sys.exit(__doc__)
    record()
