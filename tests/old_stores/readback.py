"""What a store reads back, as JSON: shared by ``_populate.py`` (run with an old
commit's code, which writes ``expected.json``) and ``tests/test_old_stores.py`` (run
with today's code). It uses only the public reading API that every covered commit has
(``store.transaction()``, ``router.views``, ``router.ticket``, the customer data and
the ledger), so both sides read the same things the same way.
"""

from __future__ import annotations

import json
from typing import Any

_ALL = ["open", "pending", "closed"]


def j(model: Any) -> Any:
    """A model as the JSON it dumps (``None`` stays ``None``)."""
    if model is None:
        return None
    return json.loads(model.model_dump_json())


def read(router: Any, store: Any, data: Any, ledger: Any, meta: dict[str, Any]) -> dict[str, Any]:
    """Everything the store, its customer data and its ledger (or ``None``) read back.

    ``meta`` names what to look up: ticket, team, view, profile, segment, pool and
    conversation ids (written to ``expected.json`` as ``_meta``).
    """
    out: dict[str, Any] = {}
    with store.transaction() as tx:
        agents = list(tx.agents())
        out["agents"] = [j(a) for a in agents]
        out["online"] = {a.id: tx.is_online(a.id) for a in agents}
        out["rotation"] = {p: j(tx.rotation(p)) for p in meta["pools"]}
        out["configurations"] = [j(c) for c in tx.configurations()]
        audit = list(tx.audit())
    out["audit_length"] = len(audit)
    out["audit"] = [
        [
            a.seq,
            a.at.isoformat(),
            a.actor,
            a.action,
            a.ticket_id,
            a.agent_id,
            a.team,
            a.assignee,
            None if a.status is None else str(a.status.value),
            a.online,
            a.automatic,
        ]
        for a in audit
    ]
    out["tickets"] = {}
    for tid in meta["tickets"]:
        rec = router.ticket(tid)
        out["tickets"][tid] = {
            "ticket": j(rec.ticket),
            "team": rec.team,
            "assignee": rec.assignee,
            "views": sorted(rec.views),
            "decided_team": None if rec.decision is None else rec.decision.team,
            "decided_assignee": None if rec.decision is None else rec.decision.assignee,
            "decided_views": None if rec.decision is None else sorted(rec.decision.views),
        }
    views = router.views
    out["views"] = {}
    for key, kw in (("open", {}), ("all", {"statuses": _ALL})):
        out["views"][key] = {
            "all": [r.ticket.id for r in views.all_tickets(**kw).items],
            "unassigned": [r.ticket.id for r in views.unassigned(**kw).items],
            "inbox": {
                a.id: [r.ticket.id for r in views.my_inbox(a.id, **kw).items] for a in agents
            },
            "team": {t: [r.ticket.id for r in views.team(t, **kw).items] for t in meta["teams"]},
            "saved": {v: [r.ticket.id for r in views.saved(v, **kw).items] for v in meta["views"]},
        }
    out["profiles"] = {p: j(data.profile(p)) for p in meta["profiles"]}
    out["events"] = {p: [j(e) for e in data.events(p)] for p in meta["profiles"]}
    out["segments"] = {s: sorted(data.segment_members(s)) for s in meta["segments"]}
    if ledger is not None:
        out["ledger"] = {c: j(ledger.for_conversation(c)) for c in meta["conversations"]}
    return out
