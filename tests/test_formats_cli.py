"""Formats by suffix through entry points, atomic saves, and the CLI."""
import json
import os
import subprocess
import sys
import textwrap

import pytest

import planbook
from planbook import formats
from conftest import EXAMPLES

EX = EXAMPLES / "manchester-children-2018-19.yaml"


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "planbook", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd)


def test_yaml_is_found_through_entry_points():
    names = {f.name for f in formats.formats()}
    assert "yaml" in names
    assert formats.get_format("x.yml").name == "yaml"
    with pytest.raises(planbook.FormatError, match="known suffixes"):
        formats.get_format("plan.docx")


def test_a_third_party_format_plugs_in_without_touching_the_core(tmp_path, monkeypatch):
    pkg = tmp_path / "toyfmt.py"
    pkg.write_text(textwrap.dedent('''
        from planbook.plugin import Format, Plan

        class Toy(Format):
            name = "toy"
            suffixes = (".toy",)

            def load(self, path):
                plan = Plan(title="from toy")
                t = plan.budgets.add("t", columns=[{"id": "a"}])
                for line in open(path):
                    label, amount = line.rsplit(" ", 1)
                    t.add_line(label, [amount.strip()])
                return plan

            def save(self, plan, path):
                with open(path, "w") as f:
                    for row in plan.budgets["t"].lines():
                        f.write(f"{row.label} {row['a'].value}\\n")

        FORMAT = Toy()
    '''))
    dist = tmp_path / "toyfmt-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: toyfmt\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[planbook.formats]\ntoy = toyfmt:FORMAT\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(formats, "_discovered", False)
    monkeypatch.setattr(formats, "_registry", {})
    src = tmp_path / "in.toy"
    src.write_text("Staff 1,200\nRent 300\n")
    plan = planbook.load(src)
    assert plan.title == "from toy"
    assert plan.budgets["t"].rows["Staff"]["a"].value == 1200
    plan.save(tmp_path / "out.yaml")
    again = planbook.load(tmp_path / "out.yaml")
    again.save(tmp_path / "out.toy")
    assert (tmp_path / "out.toy").read_text() == "Staff 1200\nRent 300\n"


def test_a_format_registered_by_hand_through_the_plugin_module(tmp_path, monkeypatch):
    from planbook import plugin
    monkeypatch.setattr(formats, "_registry", dict(formats._registry))

    class Lines(plugin.Format):
        name = "lines"
        suffixes = (".lines",)

        def dumps(self, plan):
            return "\n".join(t.id for t in plan.budgets.values()) + "\n"

        def save(self, plan, path):
            with open(path, "w") as f:
                f.write(self.dumps(plan))

    plugin.register(Lines())
    with pytest.raises(ValueError, match="already registered"):
        plugin.register(Lines())
    plan = planbook.load(EX)
    plan.save(tmp_path / "tables.lines")
    assert (tmp_path / "tables.lines").read_text() == plan.dumps("lines")
    assert repr(Lines()) == "<planbook format lines (.lines)>"
    plugin.unregister("lines")
    with pytest.raises(planbook.FormatError):
        plan.save(tmp_path / "again.lines")


def test_failed_save_leaves_the_previous_file_intact(tmp_path, monkeypatch):
    target = tmp_path / "plan.yaml"
    target.write_bytes(EX.read_bytes())
    plan = planbook.load(EX)
    plan.title = "changed"
    fmt = formats.get_format(target)

    def broken_save(p, path):
        with open(path, "w") as f:
            f.write("half a file")
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(fmt, "save", broken_save)
    with pytest.raises(planbook.WriteError) as info:
        plan.save(target)
    assert str(info.value) == (f"no space left on device while writing {target}: "
                               "the disk is full")
    assert info.value.errno == 28
    assert target.read_bytes() == EX.read_bytes()
    assert os.listdir(tmp_path) == ["plan.yaml"]  # no temporary file left behind


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to read-only folders")
def test_save_into_a_read_only_folder(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.raises(planbook.WriteError):
            planbook.load(EX).save(ro / "plan.yaml")
    finally:
        ro.chmod(0o700)


def test_save_keeps_the_file_mode(tmp_path):
    target = tmp_path / "plan.yaml"
    target.write_text("old")
    target.chmod(0o640)
    planbook.load(EX).save(target)
    assert (target.stat().st_mode & 0o777) == 0o640


def test_cli_check_exit_status_and_json(tmp_path):
    run = run_cli("check", EX)
    assert run.returncode == 1
    # two misprinted totals and risk 4's score '8 (4x4)'
    assert "3 errors" in run.stdout and "449,923" in run.stdout and "'8 (4x4)'" in run.stdout
    run = run_cli("check", "--json", EX)
    data = json.loads(run.stdout)
    f = data["findings"][0]
    for key in ("code", "severity", "message", "table", "row", "column", "declared",
                "computed", "difference", "file", "line", "col"):
        assert key in f
    assert (f["declared"], f["computed"], f["difference"]) == ("449923", "449623", "300")
    clean = run_cli("check", EXAMPLES / "manchester-childrens-services-2016-20.yaml")
    assert clean.returncode == 0 and "0 errors" in clean.stdout


def test_cli_convert_and_errors(tmp_path):
    out = tmp_path / "copy.yml"
    assert run_cli("convert", EX, out).returncode == 0
    assert out.read_bytes() == EX.read_bytes()
    bad = tmp_path / "bad.yaml"
    bad.write_text("planbook: 1\nplan: {titel: x}\n")
    run = run_cli("check", bad)
    assert run.returncode == 2
    assert f"{bad}:2:8: plan.titel: unknown key 'titel'" in run.stderr


def test_cli_summary_and_show():
    run = run_cli("summary", *sorted(EXAMPLES.glob("*.yaml")))
    assert run.returncode == 1
    assert "Total Net Budget" in run.stdout and "Findings: 17" in run.stdout  # 2007/08: issue 17
    run = run_cli("show", EX)
    assert run.returncode == 0 and "(3,986)" not in run.stdout and "449,923" in run.stdout
