"""Many plans on Dask (``pip install "planbook[dask]"``).

:func:`read` gives a ``dask.dataframe.DataFrame`` of one part of many
plans, one partition per file, built with ``dd.from_map``: each task
loads one file and returns the same tidy frame as
:func:`planbook.open_many` does for it, so the work is spread over the
scheduler you use (threads, processes, or a ``dask.distributed`` cluster)
and a worker holds one plan at a time, never the whole collection.

>>> import planbook.dask                                  # doctest: +SKIP
>>> budgets = planbook.dask.read("plans/", part="budgets") # doctest: +SKIP
>>> budgets.groupby("plan")["value"].count().compute()    # doctest: +SKIP

The frame's meta (columns and dtypes) is :func:`planbook.many.empty`:
known before anything is read.  Its index is the plan's file name and its
divisions are the sorted file names, so ``.loc["plans/a.yaml"]`` reads
one file.  A file that cannot be read is a row of the ``plans`` and
``findings`` parts (``loaded`` False; code ``unreadable``), never a failed
task.

Each task costs the scheduler and the worker a few milliseconds, about as
much as reading a small plan: for thousands of small plans give
``files_per_partition=`` (say 25-100), and a task reads that many files
one after another into one frame (docs/scale.md, docs/benchmarks.md).

:func:`compute` turns the frames into pandas frames on a ``distributed``
cluster without a worker concatenating the whole result (what
``.compute()`` does): each partition comes to the caller as soon as it is
done, so a worker's memory stays bounded by its own runs of files.
"""

from __future__ import annotations

import os
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union, cast

from ._pandas import require_pandas
from .many import COLUMNS, PARTS, Paths, chunks, empty, expand, frames_of_files

__all__ = ["read", "read_all", "compute", "convert"]


def _require_dask() -> Any:
    try:
        import dask.dataframe as dd
    except ImportError as exc:  # pragma: no cover - the message is the point
        raise ImportError("planbook.dask needs Dask: pip install \"planbook[dask]\"") from exc
    return dd


def _delayed() -> Any:
    """dask.delayed.delayed, which Dask types only in part (its arguments):
    Any here, where planbook meets it."""
    from dask.delayed import delayed  # pyright: ignore[reportUnknownVariableType]
    return cast(Any, delayed)


def _partition(files: Sequence[str], part: str) -> Any:
    frame = frames_of_files(files, (part,))[part]
    return frame.set_index("plan", drop=False).rename_axis(None)


def _meta(part: str) -> Any:
    return empty(part).set_index("plan", drop=False).rename_axis(None)


def _files(paths: Paths, parts: Sequence[str],
           files_per_partition: object) -> Tuple[List[Tuple[str, ...]], Tuple[str, ...]]:
    """The runs of files, one per partition, and the divisions: the first
    file of each run, then the last file."""
    unknown = [p for p in parts if p not in COLUMNS]
    if unknown:
        raise ValueError(f"unknown part {unknown[0]!r}: one of {', '.join(PARTS)}")
    if isinstance(files_per_partition, bool) or not isinstance(files_per_partition, int) \
            or files_per_partition < 1:
        raise ValueError(f"files_per_partition is a whole number >= 1, "
                         f"not {files_per_partition!r}")
    files = sorted(expand(paths))
    if not files:
        raise ValueError(f"no plans found in {paths!r}")
    runs = [tuple(run) for run in chunks(files, files_per_partition)]
    return runs, tuple(run[0] for run in runs) + (files[-1],)


def read(paths: Paths, part: str = "budgets", *, files_per_partition: int = 1) -> Any:
    """One part (``budgets``, ``indicators``, ``observations``, ``risks``,
    ``records``, ``findings`` or ``plans``) of many plans (paths, globs or
    folders) as a Dask DataFrame, one partition per file.

    ``files_per_partition`` > 1: a partition (a task) reads that many
    files, one after another, into one frame: fewer, larger tasks, for
    many small plans (each task costs the scheduler and the worker about
    as much as reading a small plan); a worker then holds that many plans'
    frames (but one plan) at a time."""
    dd = _require_dask()
    runs, divisions = _files(paths, (part,), files_per_partition)
    import dask
    # amounts are Decimals in object columns: Dask must not turn object
    # columns into (pyarrow) strings
    with dask.config.set({"dataframe.convert-string": False}):  # pyright: ignore[reportPrivateImportUsage]
        return dd.from_map(_partition, runs, part=part, meta=_meta(part),
                           divisions=divisions, label=f"planbook-{part}",
                           enforce_metadata=False)


def _load_run(files: Sequence[str], parts: Sequence[str]) -> Any:
    """A run of files read once for several parts: a one-row frame whose
    only cell holds the dict part -> frame (each part's partition picks its
    own from it)."""
    pd = require_pandas("planbook.dask.read_all")
    frames = frames_of_files(files, parts)
    cell = pd.Series([frames], dtype=object, index=[files[0]])
    return pd.DataFrame({"frames": cell})


def _loaded_meta() -> Any:
    pd = require_pandas("planbook.dask.read_all")
    return pd.DataFrame({"frames": pd.Series([], dtype=object)})


def _pick(loaded: Any, part: str) -> Any:
    if not len(loaded):              # the meta Dask may run through
        return _meta(part)
    frames: Dict[str, Any] = loaded["frames"].iloc[0]
    return frames[part].set_index("plan", drop=False).rename_axis(None)


def read_all(paths: Paths, parts: Sequence[str] = PARTS, *,
             files_per_partition: int = 1) -> Dict[str, Any]:
    """Several parts of many plans: a dict part -> Dask DataFrame (one
    partition per file, or per ``files_per_partition`` files as in
    :func:`read`), whose graphs share one load of each file: computed
    together (``dask.compute(*frames.values())``, ``client.compute([...])``)
    each file is read once, not once per part.

    A run of files is one task (``dd.from_map``) and each part's partition
    one more (``map_partitions``, picking that part's frame from the
    run's): a run costs the scheduler 1 + len(parts) tasks."""
    dd = _require_dask()
    parts = tuple(parts)
    runs, divisions = _files(paths, parts, files_per_partition)
    import dask.config
    with dask.config.set({"dataframe.convert-string": False}):
        loaded = dd.from_map(_load_run, runs, parts=parts, meta=_loaded_meta(),
                             divisions=divisions, label="planbook-read",
                             enforce_metadata=False)
        return {part: loaded.map_partitions(_pick, part, meta=_meta(part),
                                            enforce_metadata=False, align_dataframes=False)
                for part in parts}


def _module(name: str) -> Any:
    """A module of Dask's, which Dask types only in part: Any where
    planbook meets it."""
    import importlib
    return importlib.import_module(name)


def _client(client: Any) -> Any:
    """The distributed client to compute on: the one given, else the
    default one (the last ``Client`` made), else None (no cluster)."""
    if client is not None:
        return client
    try:
        distributed = _module("distributed")
    except ImportError:
        return None
    try:
        return distributed.default_client()
    except ValueError:                 # no client: Dask's own scheduler
        return None


def _gathered(client: Any, frames: List[Any]) -> List[Any]:
    """Each frame's partitions brought here as they are done (the workers
    never send their partitions to one of them to concatenate), then
    concatenated here in the partitions' order."""
    distributed = _module("distributed")
    pd = require_pandas("planbook.dask.compute")
    persisted: List[Any] = client.persist(frames)   # together: shared loads run once
    futures: List[List[Any]] = [sorted(distributed.futures_of(f), key=_partition_index)
                                for f in persisted]
    del persisted
    order = {fut.key: (i, j) for i, futs in enumerate(futures) for j, fut in enumerate(futs)}
    got: List[List[Any]] = [[None] * len(futs) for futs in futures]
    done = distributed.as_completed([fut for futs in futures for fut in futs],
                                    with_results=True)
    del futures                              # each partition is let go once here
    for fut, part in done:
        i, j = order[fut.key]
        got[i][j] = part
        fut.release()
    return [pd.concat(parts) if len(parts) > 1 else parts[0] for parts in got]


def _partition_index(future: Any) -> int:
    return int(future.key[1])


def compute(frames: Union[Mapping[str, Any], Sequence[Any]], *, client: Any = None,
            scheduler: Optional[str] = None) -> Any:
    """Dask frames (of :func:`read` or :func:`read_all`) as pandas frames,
    computed together (a file read for several parts is read once): a dict
    part -> frame for a dict, a list for a list, a frame for one frame.

    On a ``distributed`` cluster (``client``, else the default client) each
    partition is brought here as soon as it is done and the frames are
    concatenated here: unlike ``.compute()``, no worker gathers and
    concatenates the whole result, so a worker's memory stays bounded by
    its own runs of files, and the transfers overlap the work.  Without a
    cluster, or with a scheduler named (``scheduler=``, or Dask's config:
    ``"threads"``, ``"processes"``, ``"sync"``), it is ``dask.compute``."""
    dask = _module("dask")
    if hasattr(frames, "__dask_graph__"):       # one frame: one frame back
        return compute([frames], client=client, scheduler=scheduler)[0]
    keys: Optional[List[str]] = None
    if isinstance(frames, Mapping):
        keys = list(frames)
        items = [frames[k] for k in keys]
    else:
        items = list(frames)
    # a scheduler named here or in Dask's config (other than a client) wins
    named = scheduler or dask.config.get("scheduler", None)
    on = _client(client) if client is not None or named in (None, "dask.distributed") \
        else None
    out: List[Any] = list(dask.compute(*items, scheduler=scheduler)) if on is None \
        else _gathered(on, items)
    return dict(zip(keys, out)) if keys is not None else out


def convert(paths: Paths, out_dir: Union[str, "os.PathLike[str]"], *, to: str = "ofdp") -> Any:
    """:func:`planbook.many.convert_many` as one Dask task per file, on the
    scheduler in use (threads, processes or a ``dask.distributed``
    cluster whose workers see ``out_dir``): a delayed list of (plan,
    output, error) dicts; ``.compute()`` writes the files."""
    _require_dask()
    delayed = _delayed()
    from .many import convert_one, convert_targets
    work = convert_targets(expand(paths), out_dir, to)
    return delayed(list)([delayed(convert_one, pure=False)(job) for job in work])
