"""A tour for a notebook or a terminal: rules as JSON, a persistent store, a day of work.

Run it with ``python examples/notebook_tour.py [DIRECTORY]``. It keeps its SQLite file in
DIRECTORY (a temporary one by default), so running it twice shows that routing the same
ticket ids again returns the stored decisions.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import helpdesk_routing as hr
from helpdesk_routing.conditions import FieldCatalogue

RULES_JSON = """
{"rules": [
  {"id": "churn", "name": "Churn defense",
   "when": {"type": "profile", "property": "churn_risk", "op": "equals", "value": "High"},
   "then": {"type": "assign_to_team", "team": "retention"}},
  {"id": "big-spenders", "name": "Big recent orders",
   "when": {"type": "event", "metric": "Placed Order", "count": {"op": "at_least", "value": 1},
            "window": {"type": "in_last", "amount": 7, "unit": "days"},
            "where": [{"property": "value", "op": "greater_than", "value": 100}]},
   "then": {"type": "save_as_view", "view": "Big spenders"}},
  {"id": "churn-again", "name": "Churn defense (copy)",
   "when": {"type": "profile", "property": "churn_risk", "op": "equals", "value": "High"},
   "then": {"type": "assign_to_team", "team": "support"}}
]}
"""


def main(directory: Path) -> None:
    """Load rules from JSON, lint them, and route a morning of tickets into SQLite."""
    rules = hr.RuleSet.from_json(RULES_JSON)
    teams = [
        hr.Team(id="retention", name="Retention specialists", members=["ann", "bob"]),
        hr.Team(id="support", name="Support", members=["cem"]),
    ]
    rules.validate_against(teams)
    catalogue = FieldCatalogue(profile_properties={"churn_risk", "$country"})
    for issue in rules.lint(teams=teams, catalogue=catalogue):
        print("lint:", issue)

    start = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    agents = [hr.Agent(id=a, name=a.title()) for a in ("ann", "bob", "cem")]
    customers = hr.InMemoryCustomerData(
        profiles=[
            hr.Profile(id="p1", properties={"churn_risk": "High"}),
            hr.Profile(id="p2", properties={"$country": "France"}),
        ],
        events=[
            hr.Event(
                profile_id="p2",
                metric="Placed Order",
                timestamp=start - timedelta(days=2),
                properties={"value": 250},
            )
        ],
    )
    clock = hr.ManualClock(start)
    store = hr.SqliteStore(directory / "helpdesk.db", agents=agents)
    try:
        router = hr.Router(
            rules=rules, teams=teams, store=store, customer_data=customers, clock=clock
        )
        for agent in ("ann", "bob", "cem"):
            router.set_online(agent, online=True, actor=agent)
        for n in range(6):
            clock.advance(minutes=10)
            decision = router.route(
                hr.Ticket(
                    id=f"T-{n}",
                    channel="email",
                    profile_id=f"p{n % 2 + 1}",
                    created_at=clock.now(),
                )
            )
            print(f"{decision.ticket_id}: team={decision.team} assignee={decision.assignee}")
        print("Big spenders:", router.views.saved("Big spenders").ids)
        print("Retention inbox:", router.views.team("retention").ids)
        print(router.ticket("T-0").decision.explain())
    finally:
        store.close()


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(Path(sys.argv[1]))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            main(Path(tmp))
