"""YAML comments: libyaml drops them as it reads, so planbook cannot keep
them; saving a plan read from a file with comments warns, naming the first
one (docs/format.md, "Comments"; docs/decisions.md)."""

import warnings

import pytest

import planbook
from planbook_yaml import CommentsDroppedWarning
from planbook_yaml._comments import first_comment

PLAN = """\
planbook: 1
plan:
  title: Demo   # the draft title
  notes: 'a # that is text'
budgets:
  t:
    note: |
      # a line of the note, not a comment
      done
    columns: [{id: y, period: 2024/25}]
    rows:
    - {line: "Staff #1", values: [5]}
"""


def test_the_scan_finds_comments_and_only_comments():
    assert first_comment(PLAN) == (3, 17)
    assert first_comment("# top\nplan: {}\n") == (1, 1)
    assert first_comment(PLAN.replace("# the draft title", "")) is None
    assert first_comment('a: "x \\" # y"\nb: c#d\n') is None
    assert first_comment("- >-\n  # folded text\n  more\n- x # real\n") == (4, 5)
    assert first_comment("a: 'it''s # fine'\n") is None


def test_shipped_examples_have_no_comments():
    import pathlib
    folder = pathlib.Path(planbook.examples.__file__).parent
    for path in folder.glob("*.yaml"):
        assert first_comment(path.read_text(encoding="utf-8")) is None, path


def test_saving_a_plan_read_from_a_file_with_comments_warns(tmp_path):
    src = tmp_path / "plan.yaml"
    src.write_text(PLAN, encoding="utf-8")
    plan = planbook.load(src)
    plan.title = "Final"
    with pytest.warns(CommentsDroppedWarning, match=r"plan\.yaml:3:17: the comments of .* "
                                                    r"are not kept"):
        plan.save(src)
    text = src.read_text(encoding="utf-8")
    assert first_comment(text) is None and "Final" in text and "Staff #1" in text
    assert "# a line of the note" in text        # block text is text, kept
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        planbook.load(src).save(src)                 # no comments left: no warning
        planbook.load(src).save(tmp_path / "copy.xlsx")


def test_a_plan_without_comments_saves_quietly(tmp_path):
    src = tmp_path / "plan.yaml"
    src.write_text(PLAN.replace("# the draft title", ""), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        planbook.load(src).save(tmp_path / "out.yaml")
