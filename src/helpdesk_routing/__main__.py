"""``python -m helpdesk_routing``: the ``helpdesk-routing`` command (``cli.main``)."""

from helpdesk_routing.cli import main

if __name__ == "__main__":  # pragma: no cover - run in a subprocess (tests/test_probe_views_cli.py)
    raise SystemExit(main())
