"""Progress bars: tqdm on a terminal, nothing anywhere else."""

from __future__ import annotations

import io

from workers.cli.progress import progress_bar, say
from workers.state.changelog import catch_up_progress


class Terminal(io.StringIO):
    """A stream that says it is a terminal, as stderr does in an interactive shell."""

    def isatty(self) -> bool:
        return True


def test_bar_on_a_terminal_shows_count_rate_and_time_left() -> None:
    stream = Terminal()
    with progress_bar("feed", total=10, stream=stream) as bar:
        bar.update(4)
        bar.refresh()
        shown = stream.getvalue()
    assert "feed" in shown and "4/10" in shown
    assert "articles/s" in shown
    assert "<" in shown  # elapsed<remaining: the time left


def test_bar_without_a_total_shows_count_and_rate() -> None:
    stream = Terminal()
    with progress_bar("feed", total=None, stream=stream) as bar:
        bar.update(7)
    assert "7 articles" in stream.getvalue() and "articles/s" in stream.getvalue()


def test_nothing_is_drawn_when_the_stream_is_not_a_terminal() -> None:
    stream = io.StringIO()
    with progress_bar("feed", total=10, stream=stream) as bar:
        bar.update(10)
    assert stream.getvalue() == ""


def test_quiet_draws_nothing_even_on_a_terminal() -> None:
    stream = Terminal()
    with progress_bar("feed", total=10, quiet=True, stream=stream) as bar:
        bar.update(10)
    assert stream.getvalue() == ""


def test_say_prints_one_line() -> None:
    stream = io.StringIO()
    say("newsflow feed: [E303] a.txt: not UTF-8", stream=stream)
    assert stream.getvalue() == "newsflow feed: [E303] a.txt: not UTF-8\n"


# The worker logs its duplicate index's catch-up (no terminal there) with tqdm's meter.


def test_catch_up_line_has_count_rate_and_time_left() -> None:
    assert catch_up_progress(4500, 10000, 2.25) == "4500/10000 records (45%), 2000.00 records/s, 00:02 left"


def test_catch_up_line_before_any_record_has_no_rate_yet() -> None:
    assert catch_up_progress(0, 10000, 0.5) == "0/10000 records (0%), ? records/s, ? left"


def test_catch_up_line_past_the_upper_bound_stays_at_100_percent() -> None:
    assert catch_up_progress(12, 10, 3.0).startswith("12/12 records (100%)")
