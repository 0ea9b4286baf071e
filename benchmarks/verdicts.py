"""The targets a benchmark run is judged on, and each one's verdict: PASS, MISS, or n/a (smoke mode, where no
time is judged, or a server not run). Misses are reported, not failed."""

from __future__ import annotations

import statistics

from benchmarks import peers, proxy_overhead
from benchmarks.load import Load
from benchmarks.results import Results, ServerResult, Target
from benchmarks.scenarios import LIST_SCENARIO, PAGE_SIZE

THROUGHPUT_VS_FLASK = 0.60
THROUGHPUT_VS_PRISM = 5.0  # issue 18 (3x before it)
GROWTH_MAX = 2.0
STARTUP_MAX_S = 0.5  # issue 18: `crm-mock serve --records 50`
CONFORMANCE_MAX_S = 15.0  # issue 18: a full default run per API


def targets(r: Results) -> list[Target]:
    judged = not r.settings.smoke
    out = _throughput(r, judged) + _growth(r, judged)
    for label, runs in r.startup:
        med = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        out.append(Target(f"Startup of {label} <= {STARTUP_MAX_S:g} s",
                          f"{med:.2f} s (median of {len(runs)}; {cpu:.2f} s CPU)",
                          f"<= {STARTUP_MAX_S:g} s", med <= STARTUP_MAX_S if judged else None,
                          "process start to the first 200 on a GET"))
    for row in r.conformance:
        out.append(Target(f"Full default conformance run, {row.dialect}", f"{row.seconds:.1f} s",
                          f"<= {CONFORMANCE_MAX_S:g} s",
                          row.seconds <= CONFORMANCE_MAX_S if judged and row.exit_code >= 0 else None))
    if r.proxy is not None:
        out.append(proxy_overhead.target(r.proxy, judged))
    return out + r.more_targets


def _throughput(r: Results, judged: bool) -> list[Target]:
    out: list[Target] = []
    by_key = {s.key: s for s in r.servers}
    mock, bare = by_key.get("mock"), by_key.get("bare")
    for label in ("GET one deal", LIST_SCENARIO):
        m = mock.loads.get(label) if mock else None
        b = bare.loads.get(label) if bare else None
        if isinstance(m, Load) and isinstance(b, Load):
            ratio = m.rps / b.rps
            out.append(Target(f"Throughput, {label}: mock >= 60% of bare Flask", f"{ratio:.0%} "
                              f"({m.rps:.0f} vs {b.rps:.0f} req/s)", ">= 60%",
                              ratio >= THROUGHPUT_VS_FLASK if judged else None))
        if isinstance(m, Load):
            out += _against_prism(by_key, label, m, judged)
            out.append(peers.target(by_key, label, m, judged))
    return out


def _against_prism(by_key: dict[str, ServerResult], label: str, m: Load, judged: bool) -> list[Target]:
    limit = f">= {THROUGHPUT_VS_PRISM:g}x"
    name = f"Throughput, {label}: mock {limit} Prism dynamic"
    if "prism" not in by_key:
        return [Target(name, "Prism not run", limit, None)]
    # on a list page the judged comparison is the one where Prism answers the same 25 deals
    prisms = [("prism-page25", f"Prism's page pinned to {PAGE_SIZE} deals: the same work", True),
              ("prism", "Prism on the document as shipped: a shorter random page, not the same work",
               False)] if label == LIST_SCENARIO else [("prism", "", True)]
    out: list[Target] = []
    for key, note, same_work in prisms:
        server = by_key.get(key)
        p = server.loads.get(label) if server else None
        if not isinstance(p, Load):
            out.append(Target(name, f"not measured ({p or 'not run'})", limit, None, note))
            continue
        ratio = m.rps / p.rps
        out.append(Target(name, f"{ratio:.2f}x ({m.rps:.0f} vs {p.rps:.0f} req/s; Prism: "
                          f"{p.bytes_per:,.0f} bytes per response)", limit if same_work else "(shown only)",
                          ratio >= THROUGHPUT_VS_PRISM if judged and same_work else None, note))
    return out


def _growth(r: Results, judged: bool) -> list[Target]:
    if len(r.growth) < 2:
        return []
    first, last = r.growth[0], r.growth[-1]
    ratio = last.sequential.p50_ms / first.sequential.p50_ms
    out = [Target(f"Growth: p50 at {last.deals:,} deals <= 2x p50 at {first.deals:,}",
                  f"{ratio:.2f}x ({last.sequential.p50_ms:.1f} vs {first.sequential.p50_ms:.1f} ms)",
                  "<= 2x", ratio <= GROWTH_MAX if judged else None,
                  "one-client Python loop, repeated reads"),
           Target(f"Growth: RSS of the server at {last.deals:,} deals", f"{last.rss_mib:,.0f} MiB "
                  f"({first.rss_mib:,.0f} MiB at {first.deals:,})", "(reported)", None,
                  "VmRSS of its master and 2 workers after the runs")]
    if first.after_write and last.after_write:
        ratio = last.after_write.p50_ms / first.after_write.p50_ms
        out.append(Target(f"Growth, each read after a write: p50 at {last.deals:,} deals vs {first.deals:,}",
                          f"{ratio:.2f}x ({last.after_write.p50_ms:.1f} vs {first.after_write.p50_ms:.1f} ms)",
                          "(shown only)", None, "the list's total counted again on every read"))
    return out
