"""Acceptance probes of the ``helpdesk-routing`` command written from docs/cli.md: what
``--help`` says of it."""

from __future__ import annotations

import io

import pytest

from helpdesk_routing import cli


def test_help_describes_every_subcommand_in_plain_text(capsys: pytest.CaptureFixture[str]) -> None:
    """``helpdesk-routing --help`` exits 0 with a plain-text description (no reST
    markup such as double backquotes) that names what the command does: reports and
    simulations too, not only the demo, checks and schemas."""
    out = io.StringIO()
    assert cli.main(["--help"], out=out) == 0
    text = out.getvalue() + capsys.readouterr().out
    description = text.split("\n\n")[1]
    assert "``" not in description
    for subcommand in ("demo", "check", "schema", "report", "simulat"):
        assert subcommand in description
