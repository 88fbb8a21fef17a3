"""How fast the metrics report reads a large audit log, and a handoff's own overhead.

1. The report (``metrics.report``) over ``--records`` audit records (250,000 by
   default so a run stays near two minutes on a shared machine; the issue's size is
   ``--records 1000000``: 250,000 tickets with four records each, routed and assigned by round robin,
   a private note, a public reply, a close), in memory and in SQLite, in one pass;
   against the per-ticket way: list the tickets, then ``router.history(id)`` one ticket
   at a time and compute the same per-ticket figures (TTFR, resolution, assignments).
   Same data, same run; the target is the one-pass report at least 10x faster.
   The in-memory store keeps the report's figures as units commit (its report digest,
   on by default): its report reads them, and its fill pays for keeping them. So the
   memory row also shows the report as a pass over the log (``log pass s``, what a
   store without the digest, or a period the digest declines, costs)
   and what keeping the digest costs: the whole log fed to a new digest, once. Then the
   same records in time order (a log written as time passes) and a report over a period
   ending before their last tenth, which the digest answers too.
2. A handoff's own overhead around the HTTP call: ``Handoff.request`` of identified SMS
   conversations to a Zendesk connector whose transport answers 201 at once
   (``httpx.MockTransport``); overhead = the whole call minus the time inside the
   transport (state machine, ledger writes, payload, httpx). Target under 1 ms with the
   in-memory ledger; the SQLite ledger (three durable commits) is printed too.

Both ways are timed in wall-clock seconds and in this process's CPU seconds
(``time.process_time``): on a shared, loaded machine the CPU figures and their ratio
are the steadier ones. ``--profile`` prints where the one-pass report spends its time
(cProfile, top functions by own time) for each store.

``--json FILE`` writes a flat JSON object name -> number; ``--quick`` is a smoke run.

    python benchmarks/bench_metrics.py [--records N] [--handoffs N] [--stores memory,sqlite]
        [--profile] [--quick] [--json FILE]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import pstats
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from helpdesk_routing import metrics
from helpdesk_routing._report_digest import ReportDigest
from helpdesk_routing.clock import ManualClock
from helpdesk_routing.handoff import Conversation, Handoff, InMemoryLedger, SendToHelpdesk
from helpdesk_routing.handoff.connectors.zendesk import ZendeskConnector
from helpdesk_routing.handoff.sql_ledger import SqliteLedger
from helpdesk_routing.model import Agent, Role, Ticket, TicketStatus
from helpdesk_routing.ports import Store
from helpdesk_routing.records import AuditRecord, TicketQuery, TicketRecord
from helpdesk_routing.router import Router
from helpdesk_routing.rules import RuleSet
from helpdesk_routing.stores.memory import InMemoryStore
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from helpdesk_routing.stores.sqlite import SqliteStore

T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)
AGENTS = [Agent(id=f"a{i:02d}") for i in range(20)] + [Agent(id="m1", role=Role.MANAGER)]
PER_TICKET = 4


def fill(store: Store, records: int) -> int:
    """Write ``records`` audit records (and their tickets) in one unit of work; tickets."""
    tickets = records // PER_TICKET
    with store.transaction() as tx:
        for i, agent in enumerate(AGENTS[:20]):
            tx.append_audit(
                AuditRecord(
                    at=T0 - timedelta(hours=1, seconds=-i),
                    actor=agent.id,
                    action="presence",
                    agent_id=agent.id,
                    online=True,
                )
            )
        for n in range(tickets):
            at = T0 + timedelta(seconds=2 * n)
            tid = f"t{n}"
            agent = AGENTS[n % 20].id
            tx.add_ticket(
                TicketRecord(
                    ticket=Ticket(
                        id=tid, channel="email", created_at=at, status=TicketStatus.CLOSED
                    ),
                    assignee=agent,
                )
            )
            common: dict[str, Any] = {"ticket_id": tid, "assignee": agent}
            tx.append_audit(
                AuditRecord(
                    at=at,
                    actor=None,
                    action="routed",
                    automatic=True,
                    pool="global",
                    status=TicketStatus.OPEN,
                    **common,
                )
            )
            tx.append_audit(
                AuditRecord(
                    at=at + timedelta(minutes=3),
                    actor=agent,
                    action="replied",
                    detail={"public": False},
                    **common,
                )
            )
            tx.append_audit(
                AuditRecord(
                    at=at + timedelta(minutes=7 + n % 50),
                    actor=agent,
                    action="replied",
                    detail={"public": True},
                    **common,
                )
            )
            tx.append_audit(
                AuditRecord(
                    at=at + timedelta(hours=2),
                    actor=agent,
                    action="status",
                    status=TicketStatus.CLOSED,
                    **common,
                )
            )
    return tickets


def per_ticket(store: Store) -> tuple[int, float]:
    """The per-ticket way: list tickets, ``router.history`` each, compute its figures."""
    router = Router(
        rules=RuleSet(rules=[]),
        teams=[],
        store=store,
        customer_data=InMemoryCustomerData(),
        clock=ManualClock(T0),
    )
    with store.transaction() as tx:
        ids = [r.id for r in tx.find_tickets(TicketQuery(statuses=None))]
    ttfr: list[float] = []
    loads: dict[str, int] = {}
    for tid in ids:
        history = router.history(tid)
        created = history[0].at
        for r in history:
            if r.action in ("routed", "assigned") and r.assignee is not None:
                loads[r.assignee] = loads.get(r.assignee, 0) + 1
        replies = [r.at for r in history if r.action == "replied" and r.detail.get("public")]
        if replies:
            ttfr.append((replies[0] - created).total_seconds())
    return len(ids), statistics.fmean(ttfr) if ttfr else 0.0


def timed(fn: Any, *args: Any) -> tuple[float, float, Any]:
    """Wall and CPU seconds one call takes, and its answer (garbage collection off)."""
    gc.collect()
    gc.disable()
    try:
        began, cpu = time.perf_counter(), time.process_time()
        out = fn(*args)
        return time.perf_counter() - began, time.process_time() - cpu, out
    finally:
        gc.enable()


def profile(fn: Any, top: int = 12) -> str:
    """cProfile of one call: the ``top`` functions by own time, as text."""
    profiler = cProfile.Profile()
    profiler.runcall(fn)
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(top)
    return text.getvalue()


def report_figures(
    name: str, store: Store, records: int, results: dict[str, float], *, show_profile: bool
) -> None:
    """Fill ``store``, time both ways, check they agree, and record the figures."""
    began = time.perf_counter()
    tickets = fill(store, records)
    results[f"{name}_fill_s"] = round(time.perf_counter() - began, 2)
    end = T0 + timedelta(days=30)
    one_pass, one_pass_cpu, rep = timed(lambda: metrics.report(store, None, T0, end))
    each, each_cpu, (count, mean) = timed(per_ticket, store)
    assert rep.tickets == count == tickets, (rep.tickets, count, tickets)
    assert abs(rep.ttfr.mean - mean) < 1e-6, (rep.ttfr.mean, mean)
    results[f"{name}_audit_records"] = records + 20
    results[f"{name}_report_s"] = round(one_pass, 3)
    results[f"{name}_per_ticket_history_s"] = round(each, 3)
    results[f"{name}_speedup"] = round(each / one_pass, 2)
    results[f"{name}_report_cpu_s"] = round(one_pass_cpu, 3)
    results[f"{name}_per_ticket_history_cpu_s"] = round(each_cpu, 3)
    results[f"{name}_speedup_cpu"] = round(each_cpu / one_pass_cpu, 2) if one_pass_cpu else 0.0
    if isinstance(store, InMemoryStore):
        with store.read() as tx:
            log = tx.audit()
        passed, passed_cpu, again = timed(lambda: metrics.summarize(log, [], T0, end))
        assert again.to_dict() == rep.to_dict()
        results[f"{name}_log_pass_s"] = round(passed, 3)
        results[f"{name}_log_pass_cpu_s"] = round(passed_cpu, 3)
        took, _, _ = timed(ReportDigest().take, log)
        results[f"{name}_digest_take_s"] = round(took, 3)
        results[f"{name}_digest_take_us_per_record"] = round(took / len(log) * 1e6, 3)
        earlier_end(name, log, results)
        del log
    if show_profile:
        print(f"--- profile of metrics.report, {name} store, {records + 20:,} audit records")
        print(profile(lambda: metrics.report(store, None, T0, end)))


def earlier_end(name: str, log: list[AuditRecord], results: dict[str, float]) -> None:
    """The same records appended in time order (as a log written as time passes is),
    and a report over a period that ends before the last tenth of them: from the digest
    (which reads the later records' tickets as of the end) and as a pass over the log."""
    ordered = InMemoryStore(agents=AGENTS)
    with ordered.transaction() as tx:
        for record in sorted(log, key=lambda r: r.at):
            tx.append_audit(record)
    first, last = log[0].at, max(r.at for r in log)
    end = first + (last - first) * 0.9
    with ordered.read() as tx:
        again = tx.audit()
    digest_s, _, rep = timed(lambda: metrics.report(ordered, None, T0, end))
    pass_s, _, slow = timed(lambda: metrics.summarize(again, [], T0, end))
    assert rep.to_dict() == slow.to_dict()
    assert ordered.period_figures(T0, end, spans=False) is not None
    results[f"{name}_earlier_end_report_s"] = round(digest_s, 3)
    results[f"{name}_earlier_end_log_pass_s"] = round(pass_s, 3)


def handoff_overhead(count: int, ledger_kind: str) -> tuple[float, float]:
    """Median and p99 milliseconds of a handoff's own work around the HTTP call."""
    inside = [0.0]

    def handler(request: httpx.Request) -> httpx.Response:
        began = time.perf_counter()
        response = httpx.Response(201, json={"ticket": {"id": 1}})
        inside[0] += time.perf_counter() - began
        return response

    connector = ZendeskConnector(
        base_url="https://bench.zendesk.example",
        oauth_token="t",
        transport=httpx.MockTransport(handler),
    )
    with tempfile.TemporaryDirectory() as tmp:
        ledger: Any = (
            InMemoryLedger() if ledger_kind == "memory" else SqliteLedger(Path(tmp) / "l.db")
        )
        clock = ManualClock(T0)
        h = Handoff(
            settings=SendToHelpdesk(helpdesk="zendesk"),
            ledger=ledger,
            clock=clock,
            destination=connector,
        )
        samples = []
        for n in range(count):
            conv = Conversation(id=f"c{n}", channel="sms", email="v@example.com")
            inside[0] = 0.0
            began = time.perf_counter()
            h.request(conv, reason="knowledge_gap")
            samples.append((time.perf_counter() - began - inside[0]) * 1000)
        if ledger_kind != "memory":
            ledger.close()
    connector.close()
    samples.sort()
    return statistics.median(samples), samples[int(0.99 * (len(samples) - 1))]


def main() -> None:
    """Run, print the table, write the JSON figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=250_000, help="audit records per store")
    parser.add_argument("--handoffs", type=int, default=2_000, help="handoffs timed per ledger")
    parser.add_argument("--stores", default="memory,sqlite", help="comma-separated: memory,sqlite")
    parser.add_argument("--profile", action="store_true", help="print the report's profile")
    parser.add_argument("--quick", action="store_true", help="a tiny smoke run")
    parser.add_argument("--json", type=Path, help="write name -> number as JSON here")
    args = parser.parse_args()
    records = 4_000 if args.quick else args.records
    handoffs = 50 if args.quick else args.handoffs
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.stores.split(","):
            store: Store = (
                InMemoryStore(agents=AGENTS)
                if name == "memory"
                else SqliteStore(Path(tmp) / "bench.db", agents=AGENTS, synchronous="NORMAL")
            )
            report_figures(name, store, records, results, show_profile=args.profile)
            if isinstance(store, SqliteStore):
                store.close()
    for kind in ("memory", "sqlite"):
        median, p99 = handoff_overhead(handoffs, kind)
        results[f"handoff_overhead_{kind}_ledger_median_ms"] = round(median, 4)
        results[f"handoff_overhead_{kind}_ledger_p99_ms"] = round(p99, 4)

    print(
        f"{'store':<8} {'records':>10} {'report s':>10} {'per-ticket s':>13} {'speed-up':>9}"
        f" {'report cpu s':>13} {'per-ticket cpu s':>17} {'cpu speed-up':>13}"
    )
    for name in args.stores.split(","):
        print(
            f"{name:<8} {results[f'{name}_audit_records']:>10,.0f} "
            f"{results[f'{name}_report_s']:>10.3f} "
            f"{results[f'{name}_per_ticket_history_s']:>13.3f} "
            f"{results[f'{name}_speedup']:>8.1f}x "
            f"{results[f'{name}_report_cpu_s']:>13.3f} "
            f"{results[f'{name}_per_ticket_history_cpu_s']:>17.3f} "
            f"{results[f'{name}_speedup_cpu']:>12.1f}x"
        )
    print("target: the one-pass report at least 10x faster than router.history per ticket")
    if "memory_log_pass_s" in results:
        print(
            f"memory, the report as a pass over the log: {results['memory_log_pass_s']:.3f} s"
            f" ({results['memory_log_pass_cpu_s']:.3f} s cpu); keeping the digest:"
            f" {results['memory_digest_take_s']:.3f} s for the whole log"
            f" ({results['memory_digest_take_us_per_record']:.2f} us per record)"
        )
        print(
            "memory, a period ending before the last tenth of a log in time order:"
            f" {results['memory_earlier_end_report_s']:.3f} s from the digest,"
            f" {results['memory_earlier_end_log_pass_s']:.3f} s as a pass over the log"
        )
    for kind in ("memory", "sqlite"):
        print(
            f"handoff overhead ({kind} ledger): median "
            f"{results[f'handoff_overhead_{kind}_ledger_median_ms']:.3f} ms, p99 "
            f"{results[f'handoff_overhead_{kind}_ledger_p99_ms']:.3f} ms (target < 1 ms)"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
