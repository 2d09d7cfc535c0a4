"""The house rules of issue 21 hold (tools/check_structure.py): no C file
over 1,000 lines, no C function over 120, no cycle among the core's
modules by include or by call, and the format plugins import from planbook
only its public plugin module."""

import subprocess
import sys

import pytest

from conftest import ROOT

TOOL = ROOT / "tools" / "check_structure.py"


@pytest.mark.skipif(not TOOL.exists(), reason="the checkout's tools are not here")
def test_the_structure_rules_hold():
    r = subprocess.run([sys.executable, str(TOOL), str(ROOT)], capture_output=True, text=True)
    assert r.returncode == 0, "\n" + r.stdout + r.stderr


def test_the_checker_sees_a_breach(tmp_path):
    """The checker is not vacuous: a long function, a cycle and a private
    import are each reported."""
    sys.path.insert(0, str(TOOL.parent))
    try:
        import check_structure as cs
    finally:
        sys.path.pop(0)
    (tmp_path / "csrc").mkdir()
    body = "\n".join(f"    x += {i};" for i in range(130))
    (tmp_path / "csrc" / "pb_a.h").write_text(
        '#ifndef A\n#define A\n#include "pb_b.h"\nint pb_long(int x);\n#endif\n')
    (tmp_path / "csrc" / "pb_b.h").write_text('#ifndef B\n#define B\nint pb_b(void);\n#endif\n')
    (tmp_path / "csrc" / "pb_c.h").write_text(
        '#ifndef C\n#define C\n#include "pb_a.h"\n#endif\n')
    (tmp_path / "csrc" / "pb_a.c").write_text(
        '#include "pb_a.h"\nint pb_long(int x)\n{\n' + body + "\n    return x + pb_b();\n}\n")
    # pb_b calls pb_long without including its header: a cycle only the linker sees
    (tmp_path / "csrc" / "pb_b.c").write_text(
        '#include "pb_b.h"\nint pb_long(int x);\nint pb_b(void) { return pb_long(1); }\n')
    plug = tmp_path / "plugins" / "p" / "planbook_p"
    plug.mkdir(parents=True)
    (plug / "__init__.py").write_text("from planbook._model import Plan\n"
                                      "from planbook.plugin import ReadError\n")
    problems = cs.check_sizes(tmp_path) + cs.check_core_cycles(tmp_path) \
        + cs.check_plugin_imports(tmp_path)
    text = "\n".join(problems)
    assert "function pb_long is 133 lines" in text
    assert "call cycle in csrc: pb_a -> pb_b -> pb_a" in text
    assert "include cycle" not in text
    assert "imports planbook._model" in text and "planbook.plugin" not in text.split("imports ")[-1].split(";")[0]
