"""The general lane's waiting line is fair between clients by the worker time they have used.

Driven on an event loop with a clock the test moves, so each case says exactly who has used
how much; the end-to-end case (a light client answered while runaways fill the lane) is in
`test_hardening_lanes.py`.
"""

import asyncio

import pytest

from jalinan.graph.fair_line import FairLine, LineFull


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def test_a_free_turn_goes_to_the_client_that_used_least_not_to_the_first_in_line() -> None:
    async def scenario() -> list[str]:
        clock = Clock()
        line = FairLine(1, 10, clock=clock)
        turn = await line.acquire("heavy", 1)
        clock.now += 20  # heavy has held the only turn for 20 s
        served: list[str] = []

        async def ask(client: str) -> None:
            held = await line.acquire(client, 60)
            served.append(client)
            line.release(held)

        first = asyncio.create_task(ask("heavy"))  # heavy queues first
        await settle()
        second = asyncio.create_task(ask("light"))
        await settle()
        line.release(turn)
        await asyncio.gather(first, second)
        return served

    assert asyncio.run(scenario()) == ["light", "heavy"]


def test_among_equal_clients_the_line_is_first_come_first_served() -> None:
    async def scenario() -> list[str]:
        line = FairLine(1, 10, clock=Clock())
        turn = await line.acquire("a", 1)
        served: list[str] = []

        async def ask(client: str) -> None:
            held = await line.acquire(client, 60)
            served.append(client)
            line.release(held)

        tasks = []
        for client in ["b", "c", "d"]:
            tasks.append(asyncio.create_task(ask(client)))
            await settle()
        line.release(turn)
        await asyncio.gather(*tasks)
        return served

    assert asyncio.run(scenario()) == ["b", "c", "d"]


def test_a_full_line_refuses_the_heavy_clients_newest_query_to_admit_a_light_one() -> None:
    async def scenario() -> tuple[list[str], bool]:
        clock = Clock()
        line = FairLine(1, 2, clock=clock)
        turn = await line.acquire("heavy", 1)
        clock.now += 10
        outcomes: list[str] = []

        async def ask(client: str, name: str) -> None:
            try:
                held = await line.acquire(client, 60)
            except LineFull:
                outcomes.append(f"{name} refused")
                return
            outcomes.append(f"{name} served")
            line.release(held)

        older = asyncio.create_task(ask("heavy", "heavy-1"))
        await settle()
        newer = asyncio.create_task(ask("heavy", "heavy-2"))
        await settle()
        light = asyncio.create_task(ask("light", "light"))  # the line (2) is full: heavy-2 goes
        await settle()
        refused_at_once = outcomes == ["heavy-2 refused"]
        line.release(turn)
        await asyncio.gather(older, newer, light)
        return outcomes, refused_at_once

    outcomes, refused_at_once = asyncio.run(scenario())
    assert refused_at_once
    assert outcomes == ["heavy-2 refused", "light served", "heavy-1 served"]


def test_a_full_line_refuses_a_newcomer_that_has_used_no_less_than_those_waiting() -> None:
    async def scenario() -> list[str]:
        clock = Clock()
        line = FairLine(1, 2, clock=clock)
        turn = await line.acquire("runner", 1)
        outcomes: list[str] = []

        async def ask(client: str) -> None:
            try:
                held = await line.acquire(client, 60)
            except LineFull as refusal:
                outcomes.append(f"{client} refused ({refusal.waiting} waiting)")
                return
            outcomes.append(f"{client} served")
            line.release(held)

        tasks = []
        for client in ["a", "b", "c"]:  # all light: c finds the line full and is refused
            tasks.append(asyncio.create_task(ask(client)))
            await settle()
        line.release(turn)
        await asyncio.gather(*tasks)
        return outcomes

    assert asyncio.run(scenario()) == ["c refused (2 waiting)", "a served", "b served"]


def test_a_query_that_waits_past_its_time_limit_leaves_the_line() -> None:
    async def scenario() -> tuple[int, int]:
        line = FairLine(1, 5, clock=Clock())
        turn = await line.acquire("a", 1)
        with pytest.raises(TimeoutError):
            await line.acquire("b", 0.01)
        waiting_after = line.waiting
        line.release(turn)
        again = await line.acquire("c", 1)  # the turn is free, not held for the one that left
        line.release(again)
        return waiting_after, line.waiting

    assert asyncio.run(scenario()) == (0, 0)


def test_past_use_counts_for_less_as_time_passes() -> None:
    clock = Clock()
    line = FairLine(1, 5, clock=clock, half_life=10)

    async def use(seconds: float) -> None:
        turn = await line.acquire("a", 1)
        clock.now += seconds
        line.release(turn)

    asyncio.run(use(8))
    assert line.usage("a") == pytest.approx(8)
    clock.now += 10
    assert line.usage("a") == pytest.approx(4)
    clock.now += 10
    assert line.usage("a") == pytest.approx(2)


def test_a_running_query_counts_towards_its_clients_use_while_it_runs() -> None:
    clock = Clock()
    line = FairLine(2, 5, clock=clock)

    async def scenario() -> float:
        turn = await line.acquire("a", 1)
        clock.now += 3
        during = line.usage("a")
        line.release(turn)
        return during

    assert asyncio.run(scenario()) == pytest.approx(3)


def heavy_text(line: FairLine, clock: Clock, text: str, seconds: float = 5) -> None:
    """Make `text` known to take `seconds`: some other client runs it once."""

    async def run() -> None:
        turn = await line.acquire("someone-else", 1, text)
        clock.now += seconds
        line.release(turn)

    asyncio.run(run())


def test_a_newcomers_query_whose_text_ran_long_waits_behind_light_ones() -> None:
    clock = Clock()
    line = FairLine(2, 10, clock=clock)
    heavy_text(line, clock, "LARGE")

    async def scenario() -> list[str]:
        first = await line.acquire("a", 1, "ASK {}")
        second = await line.acquire("b", 1, "ASK {}")
        served: list[str] = []

        async def ask(client: str, text: str) -> None:
            held = await line.acquire(client, 60, text)
            served.append(client)
            clock.now += 0.01
            line.release(held)

        fresh = asyncio.create_task(ask("fresh", "LARGE"))  # a new host, first in line
        await settle()
        light = asyncio.create_task(ask("light", "SELECT"))
        await settle()
        line.release(first)
        await settle()
        line.release(second)
        await asyncio.gather(fresh, light)
        return served

    assert asyncio.run(scenario()) == ["light", "fresh"]


async def heavy_fill_then_light(line: FairLine) -> tuple[bool, str]:
    """Two runaways hold two of three turns and a third from a new host asks: whether it waits,
    and who gets the turn a light query then asks for (at once, or the test fails)."""
    await line.acquire("h1", 1, "RUNAWAY")
    await line.acquire("h2", 1, "RUNAWAY")
    third = asyncio.create_task(line.acquire("new-host", 60, "RUNAWAY"))
    await settle()
    third_waits = not third.done()
    light = await asyncio.wait_for(line.acquire("light", 1, "ASK {}"), 0.1)  # the kept turn
    third.cancel()
    return third_waits, light.client


def test_heavy_queries_leave_one_turn_free_for_light_ones() -> None:
    clock = Clock()
    line = FairLine(3, 10, clock=clock)
    heavy_text(line, clock, "RUNAWAY")
    assert asyncio.run(heavy_fill_then_light(line)) == (True, "light")


def test_a_query_running_past_the_heavy_mark_counts_as_heavy_and_so_does_its_text() -> None:
    clock = Clock()
    line = FairLine(2, 10, clock=clock)

    async def scenario() -> tuple[bool, float]:
        await line.acquire("new-host", 1, "LARGE")  # nothing known: it runs
        clock.now += 3  # and is still running 3 s later
        same_text = asyncio.create_task(line.acquire("other-new-host", 60, "LARGE"))
        await settle()
        waits = not same_text.done()  # a turn is free, but kept for light queries
        same_text.cancel()
        return waits, line.expected_cost("yet-another-host", "LARGE")

    waits, expected = asyncio.run(scenario())
    assert waits
    assert expected == pytest.approx(3)


def test_a_text_whose_runs_were_stopped_stays_heavy_however_little_time_its_last_runs_had() -> None:
    """Runaways stopped at their limit: the first after 5 s, then ten that waited in line and
    were granted with 0.4 s of their limit left. Each says the text takes at least that long;
    averaged as finished runs (0.82 s) it looked light and took the turn kept for light queries."""
    clock = Clock()
    line = FairLine(3, 10, clock=clock)

    async def stopped_runs() -> None:
        for seconds in [5.0] + [0.4] * 10:
            turn = await line.acquire("runaway-host", 60, "RUNAWAY")
            clock.now += seconds
            line.release(turn, finished=False)

    asyncio.run(stopped_runs())
    assert line.expected_cost("another-new-host", "RUNAWAY") >= 1.0
    assert asyncio.run(heavy_fill_then_light(line)) == (True, "light")


def test_a_client_whose_one_query_was_abandoned_at_once_stays_light() -> None:
    clock = Clock()
    line = FairLine(2, 10, clock=clock)

    async def scenario() -> None:
        turn = await line.acquire("reader", 1, "SELECT * { ?s ?p ?o } LIMIT 1")
        clock.now += 0.005  # the browser went away
        line.release(turn, finished=False)

    asyncio.run(scenario())
    assert line.expected_cost("reader", "SELECT * { ?s ?p ?o } LIMIT 2") == pytest.approx(0.005)


def test_one_client_fills_only_its_share_of_the_line() -> None:
    async def scenario() -> list[str]:
        line = FairLine(1, 10, per_client=2, clock=Clock())
        await line.acquire("busy", 1)
        outcomes: list[str] = []
        tasks = [asyncio.create_task(line.acquire("busy", 60)) for _ in range(2)]
        await settle()
        try:
            await line.acquire("busy", 60)
        except LineFull as refusal:
            outcomes.append(f"busy refused ({refusal.waiting} of its own waiting)")
        other = asyncio.create_task(line.acquire("other", 60))
        await settle()
        outcomes.append("other waits" if not other.done() else "other refused")
        for task in [*tasks, other]:
            task.cancel()
        return outcomes

    assert asyncio.run(scenario()) == ["busy refused (2 of its own waiting)", "other waits"]


def test_a_light_newcomer_takes_the_place_of_a_heavy_query_even_from_a_client_new_to_the_line() -> None:
    clock = Clock()
    line = FairLine(1, 1, clock=clock)
    heavy_text(line, clock, "LARGE")

    async def scenario() -> list[str]:
        turn = await line.acquire("a", 1, "ASK {}")
        outcomes: list[str] = []

        async def ask(client: str, text: str) -> None:
            try:
                held = await line.acquire(client, 60, text)
            except LineFull:
                outcomes.append(f"{client} refused")
                return
            outcomes.append(f"{client} served")
            line.release(held)

        fresh = asyncio.create_task(ask("fresh", "LARGE"))  # used nothing, but its text is heavy
        await settle()
        light = asyncio.create_task(ask("light", "SELECT"))  # the line (1) is full
        await settle()
        line.release(turn)
        await asyncio.gather(fresh, light)
        return outcomes

    assert asyncio.run(scenario()) == ["fresh refused", "light served"]


def test_a_query_arriving_while_every_turn_is_held_does_not_rank_the_whole_line_again() -> None:
    """Under load (32 clients, 4 turns) every arrival finds the turns held; ranking the 28
    waiting queries then was most of the front end's CPU per answer (bench/hop_bench.py). The
    line is ranked when a turn is given back, and by each waiter's client once, not per waiter."""

    async def scenario() -> tuple[int, int, list[str]]:
        line = FairLine(1, 100, clock=Clock())
        held = await line.acquire("c", 1, "SELECT 0")
        served: list[str] = []

        async def ask(number: int) -> None:
            turn = await line.acquire("c", 60, f"SELECT {number}")
            served.append(f"SELECT {number}")
            line.release(turn)

        looked_up: list[object] = []
        past = line._clients.past

        def counting(key: object) -> tuple[float, float]:
            looked_up.append(key)
            return past(key)

        line._clients.past = counting  # type: ignore[method-assign]
        tasks = []
        for number in range(1, 21):
            tasks.append(asyncio.create_task(ask(number)))
            await settle()
        on_arrival = len(looked_up)
        looked_up.clear()
        line.release(held)  # one turn free: the line is ranked once, its one client looked up once
        on_release = looked_up.count("c")
        await asyncio.gather(*tasks)
        return on_arrival, on_release, served

    on_arrival, on_release, served = asyncio.run(scenario())
    assert on_arrival <= 2 * 20  # each arrival looks up its own client's use, not everyone's
    assert on_release <= 2  # charging the turn given back, ranking the line: not 20 lookups
    assert served == [f"SELECT {number}" for number in range(1, 21)]  # and still first come first served


def test_a_turn_given_back_while_a_cancelled_query_has_not_yet_left_the_line_stays_usable() -> None:
    """A client that hangs up cancels its waiting query; if a turn is given back before that
    query's task runs again to leave the line, the release must not fail, and the turn must
    not be lost to a query no one awaits."""

    async def scenario() -> bool:
        line = FairLine(1, 10, clock=Clock())
        held = await line.acquire("a", 1)
        waiting = asyncio.create_task(line.acquire("b", 60))
        await settle()
        waiting.cancel()  # its future is cancelled now; its task runs only later
        line.release(held)  # before the cancelled query has left the line
        await asyncio.gather(waiting, return_exceptions=True)
        turn = await asyncio.wait_for(line.acquire("c", 1), 0.5)  # the one turn is free
        line.release(turn)
        return waiting.cancelled()

    assert asyncio.run(scenario())
