"""What the benchmarks share: a wall-clock timer and the verdict table every benchmark prints."""

import time


def timed(fn):
    """Call ``fn()``; return its result and the wall-clock seconds it took."""
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def verdict(ok):
    return "PASS" if ok else "MISS"


def print_summary(rows, *, title="Summary", widths=(58, 12, 12)):
    """Print (figure, value, target or None, ok or None) rows; ok None marks a figure without a target."""
    name_width, value_width, target_width = widths
    print(f"\n{title}")
    print(f"  {'figure':{name_width}s} {'value':>{value_width}s}  {'target':>{target_width}s}  verdict")
    for name, value, target, ok in rows:
        target = "" if target is None else target
        mark = "" if ok is None else verdict(ok)
        print(f"  {name:{name_width}s} {value:>{value_width}s}  {target:>{target_width}s}  {mark}")
