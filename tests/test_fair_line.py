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
