"""A waiting line that is fair between clients: the lightest user goes first, the heaviest goes out.

The general lane has a few workers and a bounded waiting line (then 429). First come, first
served lets a handful of clients that send expensive queries (runaways stopped only by the
time limit, answers of tens of megabytes) fill the workers and the line, so that other
clients' light queries are refused although they would take milliseconds. Counting requests
per client does not help: each of those clients has one request in flight, like everyone else.
What tells them apart is the worker time they use.

So each client (an opaque key the caller gives: the HTTP front end passes the peer's address)
is charged the seconds its queries hold a turn, decayed with a half-life, plus the time its
running queries have held theirs so far. A free turn goes to the waiting query whose client
has used least (ties: first come); when the line is full, a newcomer whose client has used
less than the heaviest waiting client's takes that client's newest place, and the query it
displaces is refused (`StoreBusy`) at once. "Used less" means clearly less: more than twice
as little and by more than a second of worker time, so light clients do not displace each
other over milliseconds. A client that uses little is therefore refused only when the line is
full of clients that use little too.

This is the classic "least attained service" discipline (as in fair queuing schedulers),
kept to what an asyncio front end needs: everything runs on the event loop, so no locks.
"""

import asyncio
import itertools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

HALF_LIFE_S = 30.0  # how long a client's past use keeps counting at half weight
MAX_CLIENTS = 10_000  # remembered clients; the least-using are forgotten first
SIGNIFICANT_S = 1.0  # a waiting client is displaced only if it used this much more (and twice as much)


@dataclass
class Turn:
    """A turn held by a query: released exactly once, charging its client for the time held."""

    client: str
    started: float


@dataclass(order=True)
class _Waiter:
    usage: float  # the client's use when it was last ranked (lower goes first)
    arrival: int
    client: str = field(compare=False)
    future: "asyncio.Future[Turn]" = field(compare=False)


class LineFull(Exception):
    """The line is full of clients that have used no more than this one; refuse it."""

    def __init__(self, waiting: int):
        super().__init__(waiting)
        self.waiting = waiting


class FairLine:
    """`turns` queries run at once; at most `max_waiting` wait; see the module docstring."""

    def __init__(
        self,
        turns: int,
        max_waiting: int,
        *,
        half_life: float = HALF_LIFE_S,
        clock: Callable[[], float] = time.monotonic,
        refusal: Callable[[int], BaseException] = LineFull,
    ) -> None:
        self.turns = turns
        self.max_waiting = max_waiting
        self._half_life = half_life
        self._clock = clock
        self._refusal = refusal
        self._held: list[Turn] = []
        self._waiting: list[_Waiter] = []
        self._arrivals = itertools.count()
        self._used: dict[str, tuple[float, float]] = {}  # client → (decayed seconds, as of when)

    # -- what a client has used ---------------------------------------------------------------
    def usage(self, client: str) -> float:
        """Decayed seconds of turns `client` has held, including its turns running now."""
        now = self._clock()
        seconds, when = self._used.get(client, (0.0, now))
        decayed = seconds * math.exp2(-(now - when) / self._half_life)
        return decayed + sum(now - turn.started for turn in self._held if turn.client == client)

    def _charge(self, client: str, seconds: float) -> None:
        now = self._clock()
        past, when = self._used.get(client, (0.0, now))
        self._used[client] = (past * math.exp2(-(now - when) / self._half_life) + seconds, now)
        if len(self._used) > MAX_CLIENTS:
            lightest = sorted(self._used, key=lambda key: self._used[key][0])[: MAX_CLIENTS // 10]
            for key in lightest:
                del self._used[key]

    # -- taking and giving back turns ----------------------------------------------------------
    @property
    def waiting(self) -> int:
        return len(self._waiting)

    @property
    def busy(self) -> bool:
        """Whether a newcomer would have to wait."""
        return len(self._held) >= self.turns or bool(self._waiting)

    async def acquire(self, client: str, timeout: float) -> Turn:
        """A turn for `client`, waiting at most `timeout` s (`TimeoutError`); the refusal
        (`refusal(waiting)`) if the line is full of clients that have used no more."""
        if not self.busy:
            return self._hold(client)
        usage = self.usage(client)
        if len(self._waiting) >= self.max_waiting:
            self._make_room_for(usage)
        future: asyncio.Future[Turn] = asyncio.get_running_loop().create_future()
        waiter = _Waiter(usage, next(self._arrivals), client, future)
        self._waiting.append(waiter)
        try:
            return await asyncio.wait_for(asyncio.shield(future), timeout)
        except BaseException:
            if waiter in self._waiting:
                self._waiting.remove(waiter)
            if future.done() and not future.cancelled() and future.exception() is None:
                self.release(future.result())  # granted just as it gave up: pass the turn on
            else:
                future.cancel()
            raise

    def release(self, turn: Turn) -> None:
        """Give a turn back (charging its client) and hand it to the next waiting query."""
        self._held.remove(turn)
        self._charge(turn.client, self._clock() - turn.started)
        while self._waiting and len(self._held) < self.turns:
            for waiter in self._waiting:  # rank by use now, not at arrival
                waiter.usage = self.usage(waiter.client)
            waiter = min(self._waiting)
            self._waiting.remove(waiter)
            waiter.future.set_result(self._hold(waiter.client))  # held for it from now

    def _hold(self, client: str) -> Turn:
        turn = Turn(client, self._clock())
        self._held.append(turn)
        return turn

    def _make_room_for(self, usage: float) -> None:
        """Displace the newest query of the heaviest waiting client if it has used clearly more
        than the newcomer's client; otherwise refuse the newcomer."""
        for waiter in self._waiting:
            waiter.usage = self.usage(waiter.client)
        heaviest = max(self._waiting, key=lambda w: (w.usage, w.arrival))
        if heaviest.usage <= 2 * usage + SIGNIFICANT_S:
            raise self._refusal(len(self._waiting))
        self._waiting.remove(heaviest)
        heaviest.future.set_exception(self._refusal(len(self._waiting) + 1))
