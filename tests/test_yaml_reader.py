"""The YAML reader: strict, safe, and precise about where a problem is."""

import pytest

import planbook

HEAD = "planbook: 1\n"
TABLE = HEAD + """budgets:
  t:
    columns:
    - {id: a, period: 2015/16}
    - {id: b, period: 2016/17}
    rows:
"""


def read_error(text, kind=planbook.ReadError):
    with pytest.raises(kind) as exc:
        planbook.loads(text, name="plan.yaml")
    return exc.value


def test_errors_name_file_line_column_and_path():
    err = read_error(TABLE + "    - line: Staff\n      values: [100, 1e3]\n")
    assert (err.file, err.line, err.column) == ("plan.yaml", 9, 21)
    assert err.path == "budgets.t.rows[0].values[1]"
    assert str(err).startswith("plan.yaml:9:21: budgets.t.rows[0].values[1]: ")
    assert "not an amount" in err.message


@pytest.mark.parametrize("text,message", [
    (HEAD + "plan: {titel: x}\n", "unknown key 'titel'"),
    (HEAD + "plan: {title: x, title: y}\n", "duplicate key 'title'"),
    (HEAD + "budgets:\n  t: {columns: []}\n  t: {columns: []}\n", "duplicate"),
    (HEAD + "plan: [1, 2]\n", "expected a mapping"),
    (HEAD + "plan: {title: [x]}\n", "expected text"),
    (TABLE + "    - line: x\n      values: [1, 2, 3]\n", "more values than"),
    (TABLE + "    - line: x\n      values: [1,180, 2]\n", "comma separates values"),
    (TABLE + "    - line: x\n      values: [1]\n", "1 values for the table's 2 columns"),
    (TABLE + "    - line: x\n      values: [1.5, 2]\n", "more decimals"),
    (TABLE + "    - line: x\n      values: [.nan, 2]\n", "not an amount"),
    (TABLE + "    - line: x\n      values: [.inf, 2]\n", "not an amount"),
    (TABLE + "    - line: x\n      values: [0x10, 2]\n", "not an amount"),
    (TABLE + "    - line: x\n      values: [99999999999999999999, 2]\n", "beyond the fixed-point"),
    (TABLE + "    - values: [1, 2]\n      line: x\n", "a row starts with its kind"),
    (TABLE + "    - line: x\n      role: spending\n", "unknown role"),
    (HEAD + "plan: &a {title: x}\nsettings: *a\n", "aliases"),
    (HEAD + "plan: !!python/object/apply:os.system ['echo hacked']\n", "tags"),
    (HEAD + "plan: !!str {title: x}\n", "tags"),
    ("", "empty"),
    ("planbook: 1\n---\nplanbook: 1\n", "one document"),
    ("plan: {title: x}\n", "no 'planbook: 1'"),
    ("planbook: 2\n", "format version '2'"),
    (HEAD + "budgets:\n  t:\n    rows: []\n    columns: []\n", "'columns' must come before 'rows'"),
    (HEAD + "budgets:\n  t:\n    columns:\n    - {id: a, sum: [b]}\n", "no column 'b'"),
    (HEAD + "budgets:\n  t:\n    columns:\n    - {id: a, sum: [a]}\n", "its own sum"),
    (HEAD + "budgets:\n  t:\n    columns:\n    - {id: a, period: 2018}\n", "ambiguous"),
    (HEAD + "budgets:\n  t:\n    columns:\n    - {id: a, period: 2018/20}\n", "must follow"),
])
def test_strict_schema(text, message):
    err = read_error(text)
    assert message in str(err), str(err)
    assert err.line is not None and err.line >= 1


def test_no_yaml_11_surprises():
    plan = planbook.loads(TABLE + """    - line: No
      values: ['-', ~]
    - line: n/a
      values: [012, '1,257']
    - line: 'yes'
      values: ['(3,215)', 0]
""" + "plan:\n  title: Off\n  version: 1.10\n")
    t = plan.budgets["t"]
    assert [r.label for r in t.rows] == ["No", "n/a", "yes"]
    assert t.rows["n/a"]["a"].value == 12
    assert t.rows["No"]["a"].state == "nil"
    assert t.rows["No"]["b"].state == "blank"
    assert plan.title == "Off" and plan.version == "1.10"


def test_text_that_looks_typed_is_written_quoted():
    plan = planbook.loads(TABLE + "    - line: 'No'\n" + "plan: {title: 'null', version: '012'}\n")
    text = plan.dumps()
    assert "title: 'null'" in text and "version: '012'" in text and "line: 'No'" in text
    import yaml  # another reader sees the same text
    data = yaml.safe_load(text)
    assert data["plan"]["title"] == "null" and data["plan"]["version"] == "012"


def test_nesting_bomb_is_refused_where_it_starts():
    """100,000 open brackets are refused at the first ones, not after the
    parser has nested through them all (so in no time and no memory)."""
    text = HEAD + "plan: " + "[" * 100000
    err = read_error(text)
    assert err.code in ("limit", "schema")
    assert err.line == HEAD.count("\n") + 1 and err.column < 200, (err.line, err.column)


def test_deep_sections_hit_the_limit_with_a_clear_error():
    text = TABLE + "".join("  " * i + "    - section: s\n" + "  " * i + "      rows:\n"
                           for i in range(60))
    err = read_error(text)
    assert "deeper than" in str(err)


def test_anchor_multitude_is_harmless():
    items = "".join(f"    - &a{i} line: x{i}\n" for i in range(20000))
    plan = planbook.loads(TABLE + items)
    assert len(plan.budgets["t"].rows) == 20000


def test_reader_errors_get_a_line_and_column():
    data = (HEAD + "plan:\n  title: caf\xe9 ok\n").encode("latin-1")  # invalid UTF-8
    with pytest.raises(planbook.ReadError) as exc:
        planbook.loads(data, name="bad.yaml")
    assert exc.value.line == 3 and exc.value.column == 14  # the bad octet


def test_bom_and_crlf_are_read():
    text = ("\ufeff" + TABLE + "    - line: x\n      values: [1, 2]\n").replace("\n", "\r\n")
    plan = planbook.loads(text.encode("utf-8"))
    assert plan.budgets["t"].rows["x"]["b"].value == 2


def test_tab_indentation_is_an_error_with_a_position():
    err = read_error(HEAD + "plan:\n\ttitle: x\n")
    assert err.line == 3


@pytest.mark.parametrize("cut", [5, 30, 60, 90, 120])
def test_truncated_files_are_errors_not_crashes(cut):
    text = TABLE + "    - line: staff\n      values: [100, 200]\n    - total: Total\n"
    try:
        planbook.loads(text[:cut])
    except planbook.ReadError as exc:
        assert exc.line is not None


def test_binary_junk_is_an_error():
    with pytest.raises(planbook.ReadError):
        planbook.loads(bytes(range(256)) * 4)


def test_load_reports_a_missing_file():
    with pytest.raises(FileNotFoundError):
        planbook.load("/nonexistent/plan.yaml")


def test_values_as_a_mapping():
    plan = planbook.loads(TABLE + "    - line: x\n      values: {b: 7}\n")
    row = plan.budgets["t"].rows["x"]
    assert row["a"].state == "blank" and row["b"].value == 7


# Keys and values are quoted into error messages and data paths: a line
# break, a tab, a terminal escape (ESC or the C1 CSI) or a NUL in them, or a
# character cut by the 60-byte limit on a quoted key, used to reach the
# message as it was (a message over several lines, one that colours the
# terminal, 'a' for the key 'a\0b', a U+FFFD).  Found running the YAML test
# suite (cases 7LBH and 6SLA: keys with line breaks and tabs).
@pytest.mark.parametrize("key, shown", [
    ('"a\\nb"', "a\\nb"),
    ('"a\\tb"', "a\\tb"),
    ('"\\e[31mred"', "\\x1B[31mred"),
    ('"\\u009b31m"', "\\u009B31m"),
    ('"a\\0b"', "a\\x00b"),
    ('"é\\r\\nü"', "é\\r\\nü"),
    ("x" * 59 + "é", "x" * 59),
])
def test_text_in_errors_is_escaped(key, shown):
    with pytest.raises(planbook.errors.ReadError) as exc:
        planbook.loads(f"{key}: 1\n")
    e = exc.value
    assert e.path == shown
    assert e.message.startswith(f"unknown key '{shown}' (expected one of: planbook")
    assert not any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 or ch == "\ufffd" for ch in str(e))


def test_escaping_reaches_values_and_core_messages():
    with pytest.raises(planbook.errors.ReadError) as exc:
        planbook.loads('planbook: 1\nbudgets:\n  t:\n    kind: "fund\\ning"\n')
    assert "unknown table kind 'fund\\ning'" in exc.value.message
    with pytest.raises(planbook.errors.ReadError) as exc:
        planbook.loads('planbook: 1\nbudgets:\n  t:\n    columns: [{id: "a\\tb"}]\n')
    assert "'a\\tb' is not a valid column id" in exc.value.message
