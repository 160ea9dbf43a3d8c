"""Measure one piece of work in a fresh child process, so its peak RSS is its own.

    from bench.measure import measure
    m = measure(ingest_one, "/tmp/ingest-bench", "bench-articles")
    print(m.wall_s, m.cpu_s, m.peak_rss_mb, m.value)

The parent's memory (a generated corpus, earlier runs) never counts, and two measurements do not
share a high-water mark. Each child reads its own peak from ``VmHWM`` in ``/proc/self/status``,
which starts afresh at ``exec``; ``ru_maxrss`` does not (Linux carries the parent's peak over
into a spawned child) and is only the fallback where ``/proc`` is missing. The child is spawned, not forked, so it
starts from a bare interpreter; ``fn`` must therefore be a module-level function and its
arguments and return value picklable. CPU time covers every thread of the child but not
processes it starts itself.
"""

import multiprocessing
import pickle
import resource
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Measurement:
    """What the child reported about one call of the function, and what the call returned."""

    value: Any
    wall_s: float  # the call alone, not the child's start-up
    cpu_s: float  # user + system time of the call, all threads
    peak_rss_mb: float  # the child's peak resident set, start-up included
    start_rss_mb: float  # the child's peak before the call: interpreter and imports


class MeasureError(RuntimeError):
    """The measured function failed or the child died; the message carries the child's traceback."""


@dataclass(frozen=True)
class _Failure:
    traceback: str


def measure(fn: Callable[..., object], /, *args: Any, **kwargs: Any) -> Measurement:
    """Run ``fn(*args, **kwargs)`` in a spawned child and return its time, memory and result."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, fn, args, kwargs), name=f"measure-{_name(fn)}")
    try:
        child.start()
    except (pickle.PicklingError, AttributeError, TypeError) as err:
        sender.close()
        receiver.close()
        raise MeasureError(
            f"cannot send {_name(fn)} and its arguments to a spawned child ({err}); "
            "measure a module-level function with picklable arguments"
        ) from err
    sender.close()  # so recv() sees EOF if the child dies without reporting
    try:
        report = receiver.recv()
    except EOFError:
        report = None
    finally:
        receiver.close()
        child.join()
    if report is None:
        raise MeasureError(f"{_name(fn)}: the child exited with code {child.exitcode} without reporting (killed?)")
    if isinstance(report, _Failure):
        raise MeasureError(f"{_name(fn)} failed in the child process:\n{report.traceback}")
    return report


def _name(fn: Callable[..., object]) -> str:
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"


def _child(sender: Connection, fn: Callable[..., object], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Call the function and send back a Measurement, or a _Failure with the traceback text."""
    with sender:
        start_rss = _peak_rss_mb()
        cpu_start = _cpu_s()
        wall_start = time.perf_counter()
        try:
            value = fn(*args, **kwargs)
        except BaseException:
            sender.send(_Failure(traceback.format_exc()))
            return
        wall_s = time.perf_counter() - wall_start
        cpu_s = _cpu_s() - cpu_start
        measurement = Measurement(value, wall_s, cpu_s, _peak_rss_mb(), start_rss)
        try:
            sender.send(measurement)
        except Exception:  # the return value does not pickle; nothing was sent yet
            sender.send(_Failure(f"{_name(fn)} returned a value that cannot be sent back:\n{traceback.format_exc()}"))


def _peak_rss_mb() -> float:
    """This process's peak resident set since it was exec'd, in MiB."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kilobytes = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(kilobytes) / 1024


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
