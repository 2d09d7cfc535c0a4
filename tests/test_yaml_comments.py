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


def every_line(text):
    """The scan as first written, every line through the character loop:
    the reference for the one that skips plain lines (the save holds the
    GIL while it scans, issue 18)."""
    return first_comment(text, skip_plain=False)


def test_skipping_plain_lines_finds_what_every_line_finds():
    import pathlib
    import random
    rng = random.Random(18)
    pieces = ["a: b", "  c: d", "#", " # x", "'", "''", '"', '\\"', "|", ">-", "- |2",
              "x#y", "  text", "", "k: 'v", "w' # z", '"q # r"', "- >", "    more"]
    texts = [PLAN] + [p.read_text(encoding="utf-8") for p in
                      pathlib.Path(planbook.examples.__file__).parent.glob("*.yaml")]
    texts += ["\n".join(" ".join(rng.choice(pieces) for _ in range(rng.randint(1, 3)))
                         for _ in range(rng.randint(1, 12))) for _ in range(3000)]
    found = [first_comment(t) for t in texts]
    assert found == [every_line(t) for t in texts]
    assert sum(f is not None for f in found) > 500 and found.count(None) > 500


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
