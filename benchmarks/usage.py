"""What the machine and a process tree use, read from /proc: resident memory and CPU ticks."""

from __future__ import annotations

import os
import resource
from pathlib import Path

HZ = os.sysconf("SC_CLK_TCK")


def read(path: str) -> str:
    """A /proc file's text, or "" where there is none (another OS, a process gone)."""
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def stat_fields(pid: int) -> list[str] | None:
    """A process's /proc/PID/stat after its name: state, ppid, pgrp, ..., utime, stime, cutime, cstime (proc(5),
    from its third field); None once it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def process_stats() -> dict[int, list[str]]:
    """stat_fields of every process."""
    found: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        fields = stat_fields(int(entry.name)) if entry.name.isdigit() else None
        if fields is not None:
            found[int(entry.name)] = fields
    return found


def process_tree(pid: int) -> list[int]:
    parents = {member: int(fields[1]) for member, fields in process_stats().items()}
    tree, frontier = [pid], [pid]
    while frontier:
        frontier = [child for child, parent in parents.items() if parent in frontier]
        tree.extend(frontier)
    return tree


def rss_mib(pid: int) -> float:
    """VmRSS summed over a process and its descendants (gunicorn master + workers, node + children)."""
    total_kib = 0
    for member in process_tree(pid):
        try:
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kib += int(line.split()[1])
        except OSError:
            continue
    return total_kib / 1024


def busy_ticks() -> int:
    """CPU ticks the whole machine spent busy (all cores)."""
    fields = [int(v) for v in read("/proc/stat").splitlines()[0].split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return user + nice + system + irq + softirq + steal


def tree_ticks(pid: int) -> int:
    """CPU ticks of a process and its descendants, the ended ones that their parent waited for included (a
    seeding child of the mock's: crm-mock serve waits for each)."""
    total = 0
    for member in process_tree(pid):
        fields = stat_fields(member)
        if fields is not None:
            total += sum(int(ticks) for ticks in fields[11:15])  # utime + stime + cutime + cstime
    return total


def own_ticks() -> float:
    """This process and its finished children (wrk), in ticks."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return (me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime) * HZ
