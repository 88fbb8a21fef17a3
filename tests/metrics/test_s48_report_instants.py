"""``report --from/--to`` read instant text as every other entry point does (a ticket's
``created_at``, a condition's date): an offset past its ranges (``+00:99``, read by
Python as 1:39, so the period started 1 h 39 min early), a week date or the basic form
is bad arguments, not another instant."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta, timezone

import pytest

from helpdesk_routing import metrics_cli

END = "2026-04-01T00:00:00Z"


def _parse(start: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="helpdesk-routing")
    metrics_cli.add_parser(parser.add_subparsers(dest="command", required=True))
    argv = ["report", "--store", "sqlite:///x.db", "--from", start, "--to", END]
    return parser.parse_args(argv)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("2026-03-30T00:00:00+00:99", "'+00:99' is not +HH[:MM[:SS]]"),
        ("2026-03-30T00:00:00+24:00", "'+24:00' is not +HH[:MM[:SS]]"),
        ("2026-W14-1T00:00Z", "is not a date-time with a UTC offset"),
        ("20260330T000000Z", "is not a date-time with a UTC offset"),
        ("2026-03-30", "is not a date-time with a UTC offset"),
        ("2026-03-30T00:00:00", "needs a time zone offset"),
    ],
)
def test_refused(text: str, said: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        _parse(text)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "argument --from: " in err
    assert said in err
    assert repr(text) in err


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2026-03-30T00:00:00Z", datetime(2026, 3, 30, tzinfo=UTC)),
        ("2026-03-30t00:00:00z", datetime(2026, 3, 30, tzinfo=UTC)),
        ("2026-03-30 02:00:00,5+02:00", datetime(2026, 3, 30, 0, 0, 0, 500000, tzinfo=UTC)),
        ("2026-03-30T05:30+0530", datetime(2026, 3, 30, tzinfo=UTC)),
        (
            "2026-03-30T00:00:00-00:00:30",
            datetime(2026, 3, 30, tzinfo=timezone(-timedelta(seconds=30))),
        ),
    ],
)
def test_read(text: str, moment: datetime) -> None:
    assert _parse(text).start == moment
