"""Every worked notebook in notebooks/ runs from start to finish.

Each notebook is executed with nbclient on an ipykernel started from this
interpreter (kernel name ``python3``, its spec written to a temporary
directory so that a user's own ``python3`` kernel cannot be picked up
instead); a cell that raises fails the test.  Notebooks are kept in git
with their outputs cleared, which is checked too.

Skipped in the sanitizer pass (PLANBOOK_SANITIZED=1): a kernel is a second
process under LD_PRELOAD libasan, with zmq and matplotlib, and adds nothing
there that the plain pass does not test.
"""

import glob
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOTEBOOKS = sorted(glob.glob(os.path.join(ROOT, "notebooks", "*.ipynb")))
CELL_TIMEOUT = 120

pytestmark = pytest.mark.skipif(os.environ.get("PLANBOOK_SANITIZED") == "1",
                                reason="notebook kernels are not run under the sanitizers")


def test_there_are_worked_notebooks():
    names = {os.path.basename(p) for p in NOTEBOOKS}
    assert {"quarterly-performance-report.ipynb", "budget-book.ipynb",
            "budgets-across-years.ipynb"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=os.path.basename)
def test_notebook_is_stored_without_outputs(path):
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, (
                f"{os.path.basename(path)}: clear the outputs before committing")


@pytest.fixture
def kernel_path(tmp_path, monkeypatch):
    """A ``python3`` kernel spec that runs this interpreter, found first."""
    pytest.importorskip("ipykernel")
    from ipykernel.kernelspec import write_kernel_spec
    data = tmp_path / "jupyter"
    write_kernel_spec(path=str(data / "kernels" / "python3"))
    monkeypatch.setenv("JUPYTER_PATH", str(data))
    from jupyter_client.kernelspec import KernelSpecManager
    spec = KernelSpecManager().get_kernel_spec("python3")
    assert spec.argv[0] == sys.executable
    return data


@pytest.mark.parametrize("path", NOTEBOOKS, ids=os.path.basename)
def test_notebook_runs(path, tmp_path, kernel_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    for module in ("matplotlib", "pandas", "openpyxl"):
        pytest.importorskip(module)
    nb = nbformat.read(path, as_version=4)
    workdir = tmp_path / "cwd"          # a notebook that wrote beside itself would write here
    workdir.mkdir()
    client = nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT, startup_timeout=120,
                                     kernel_name="python3",
                                     resources={"metadata": {"path": str(workdir)}})
    before = sorted(os.listdir(os.path.dirname(path)))
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as exc:
        pytest.fail(f"{os.path.basename(path)}: a cell raised:\n{exc}", pytrace=False)
    # notebooks write only into temporary directories
    assert sorted(os.listdir(os.path.dirname(path))) == before
    assert os.listdir(workdir) == []
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
