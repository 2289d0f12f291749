"""A waiting line that serves cheap queries first and keeps a turn for them: fair by worker time.

The general lane has a few workers and a bounded waiting line (then 429). First come, first
served lets a handful of clients that send expensive queries (runaways stopped only by the
time limit, answers of tens of megabytes) fill the workers and the line, so that other
clients' light queries are refused although they would take milliseconds. Counting requests
per client does not help: each of those clients has one request in flight, like everyone else.
What tells them apart is the worker time their queries take.

So the line keeps two meters, each in seconds that a query held a turn, decayed with a
half-life, counting queries still running as they run:

- per client (an opaque key the caller gives: the HTTP front end passes the peer's address):
  how much it has used, and so how much each of its queries takes on average;
- per query text (hashed): how long that very query took when anyone ran it.

A waiting query's expected cost is its text's average if that text has run (the best estimate
of this query), else its client's average, else nothing (a newcomer's first query counts as
light until it has used time). A query whose expected cost reaches `heavy_s` (a second) is
*heavy*.

A run that did not finish (stopped at its time limit, out of memory, or abandoned by its
client) says only that the query takes *at least* that long, so its time counts but it is not
a finished query: the average is the time used over the queries that finished (a query still
running counts as finishing now), and with none finished it is the whole time used. Counted as
finished, such runs dragged a runaway's average down: one granted with 0.4 s of its time limit
left was charged 0.4 s, and a text stopped at 5 s each time averaged 0.97 s, light, and took the
turn kept for light queries (`test_hardening_lanes.py`, failing one run in three on two cores).
Then:

- a free turn goes to the light queries first, and among queries of one kind to the one whose
  client has used least (ties: first come), the classic "least attained service" discipline;
- heavy queries hold at most `turns - 1` turns at once (a query running past `heavy_s` counts
  as heavy, whatever was expected), so one turn always stays for light queries: a burst of
  large answers, runaways and their workers' replacements cannot make light ones wait seconds;
- one client may have at most `per_client` queries waiting (then its newcomer is refused), so
  however many connections a host opens it fills only its share of the line; the line as a
  whole is several shares long, so that at a cold start, when nothing is known of anyone, a
  crowd of newcomers (a few dozen light clients and attackers alike) all find a place;
- when the line is full, a light newcomer takes the place of the newest heavy query waiting,
  and among queries of one kind a newcomer whose client has used clearly less (more than
  twice as little and by more than a second) takes the heaviest client's newest place; the
  query it displaces is refused (`StoreBusy`) at once. Otherwise the newcomer is refused.

Eight clients asking for the same 21 MB answer for the first time are one newcomer each, but
one text: once the first has run for a second, the other seven wait as heavy.

Everything runs on the event loop, so no locks.
"""

import asyncio
import itertools
import math
import operator
import time
from collections.abc import Callable
from dataclasses import dataclass, field

HALF_LIFE_S = 30.0  # how long past use keeps counting at half weight
MAX_REMEMBERED = 10_000  # clients (and query texts) remembered; the least-used are forgotten first
SIGNIFICANT_S = 1.0  # a waiting client is displaced only if it used this much more (and twice as much)
HEAVY_S = 1.0  # a query expected to hold its turn this long (or holding it this long) is heavy


@dataclass
class Turn:
    """A turn held by a query: released exactly once, charging its client and text the time held."""

    client: str
    query: int | None  # the text's hash (None: not given)
    started: float
    heavy: bool  # expected to be heavy when granted (or, see `_is_heavy`, running long)


@dataclass(order=True)
class _Waiter:
    heavy: bool  # light queries go first
    usage: float  # then the client's use when it was last ranked (lower goes first)
    arrival: int
    client: str = field(compare=False)
    query: int | None = field(compare=False)
    future: "asyncio.Future[Turn]" = field(compare=False)


# The waiters' order as `_Waiter`'s own comparison gives it, as one key per waiter: `min` then
# compares tuples made once each, not two made for every comparison (`order=True`'s `__lt__`).
_RANK_ORDER = operator.attrgetter("heavy", "usage", "arrival")


class LineFull(Exception):
    """The line is full of queries no heavier than this one; refuse it."""

    def __init__(self, waiting: int):
        super().__init__(waiting)
        self.waiting = waiting


class _Meter:
    """Decayed seconds used and finished queries per key (see the module docstring)."""

    def __init__(self, half_life: float, clock: Callable[[], float]) -> None:
        self._half_life = half_life
        self._clock = clock
        self._seen: dict[object, tuple[float, float, float]] = {}  # key → (seconds, finished, as of)

    def __contains__(self, key: object) -> bool:
        """Whether `key` has been charged (and not forgotten): a distinct query text has not."""
        return key in self._seen

    def past(self, key: object) -> tuple[float, float]:
        """(seconds, finished queries) charged to `key`, decayed to now."""
        seen = self._seen.get(key)
        if seen is None:  # a text never run before (every distinct query text is one)
            return 0.0, 0.0
        seconds, finished, when = seen
        weight = math.exp2(-(self._clock() - when) / self._half_life)
        return seconds * weight, finished * weight

    def charge(self, key: object, seconds: float, finished: bool = True) -> None:
        """Add a run of `seconds`; one that did not finish adds its time, not a query."""
        past_seconds, past_finished = self.past(key)
        self._seen[key] = (past_seconds + seconds, past_finished + (1.0 if finished else 0.0), self._clock())
        if len(self._seen) > MAX_REMEMBERED:
            lightest = sorted(self._seen, key=lambda k: self._seen[k][0])[: MAX_REMEMBERED // 10]
            for forgotten in lightest:
                del self._seen[forgotten]


def _estimate(seconds: float, finished: float, running: float, count: int) -> float | None:
    """Expected seconds per query from past use (`seconds` over `finished` queries) and `count`
    queries running for `running` seconds in all (each counted as finishing now); None if
    nothing is known. With no query finished or running, the time of the runs that were
    stopped: at least that."""
    queries = finished + count
    if queries > 0:
        return (seconds + running) / queries
    return seconds if seconds > 0 else None


def _text_key(query: str) -> int | None:
    """What a query text is remembered by (a hash: texts may be 64 KB); None for no text."""
    return hash(query) if query else None


def _expire(future: "asyncio.Future[Turn]") -> None:
    """A waiting query's time limit: it stops waiting (`acquire` takes it out of the line)."""
    if not future.done():
        future.set_exception(TimeoutError())


class FairLine:
    """`turns` queries run at once; at most `max_waiting` wait, at most `per_client` of them
    from one client; see the module docstring."""

    def __init__(
        self,
        turns: int,
        max_waiting: int,
        *,
        per_client: int | None = None,
        half_life: float = HALF_LIFE_S,
        heavy_s: float = HEAVY_S,
        clock: Callable[[], float] = time.monotonic,
        refusal: Callable[[int], BaseException] = LineFull,
    ) -> None:
        self.turns = turns
        self.max_waiting = max_waiting
        self.per_client = per_client
        self.heavy_s = heavy_s
        self.heavy_turns = max(1, turns - 1)  # turns heavy queries may hold at once
        self._clock = clock
        self._refusal = refusal
        self._held: list[Turn] = []
        self._waiting: list[_Waiter] = []
        self._arrivals = itertools.count()
        self._clients = _Meter(half_life, clock)
        self._queries = _Meter(half_life, clock)

    # -- what clients and queries have used ---------------------------------------------------
    def usage(self, client: str) -> float:
        """Decayed seconds of turns `client` has held, including its turns running now."""
        now = self._clock()
        seconds, _queries = self._clients.past(client)
        return seconds + sum(now - turn.started for turn in self._held if turn.client == client)

    def expected_cost(self, client: str, query: str = "") -> float:
        """Seconds a turn is expected to be held by `query` from `client`: the average of that
        text's runs if it ran, else of the client's queries, else 0 (a newcomer); a run that
        was stopped counts its time but not as a finished query."""
        return self._expected(client, _text_key(query))

    def _expected(self, client: str, query: int | None) -> float:
        now = self._clock()
        for meter, key, running in (
            (self._queries, query, [t for t in self._held if query is not None and t.query == query]),
            (self._clients, client, [t for t in self._held if t.client == client]),
        ):
            seconds, finished = meter.past(key) if key is not None else (0.0, 0.0)
            held_for = sum(now - turn.started for turn in running)
            expected = _estimate(seconds, finished, held_for, len(running))
            if expected is not None:
                return expected
        return 0.0

    def _heavy(self, client: str, query: int | None) -> bool:
        return self._expected(client, query) >= self.heavy_s

    def _is_heavy(self, turn: Turn) -> bool:
        return turn.heavy or self._clock() - turn.started >= self.heavy_s

    def _may_start(self, heavy: bool) -> bool:
        """Whether a query of that kind may take a turn now."""
        if len(self._held) >= self.turns:
            return False
        return not heavy or sum(map(self._is_heavy, self._held)) < self.heavy_turns

    # -- taking and giving back turns ----------------------------------------------------------
    @property
    def waiting(self) -> int:
        return len(self._waiting)

    @property
    def busy(self) -> bool:
        """Whether a light newcomer would have to wait."""
        return not self._may_start(False) or any(not w.heavy for w in self._waiting)

    async def acquire(self, client: str, timeout: float, query: str = "") -> Turn:
        """A turn for `query` (its text: what its cost is estimated by) from `client`, waiting
        at most `timeout` s (`TimeoutError`); the refusal (`refusal(waiting)`) if the line is
        full of queries no heavier."""
        key = _text_key(query)
        self._dispatch()  # (ranks the waiting queries) so none that may start is waiting now
        heavy = self._heavy(client, key)
        if self._may_start(heavy):
            return self._hold(client, key, heavy)
        usage = self.usage(client)
        if self.per_client is not None:
            mine = sum(1 for w in self._waiting if w.client == client)
            if mine >= self.per_client:
                raise self._refusal(mine)
        if len(self._waiting) >= self.max_waiting:
            self._make_room_for(heavy, usage)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Turn] = loop.create_future()
        waiter = _Waiter(heavy, usage, next(self._arrivals), client, key, future)
        self._waiting.append(waiter)
        # One timer handle, not `wait_for(shield(...))` (a task, a second future and their
        # callbacks for every waiting query: with 32 clients 28 wait at any moment).
        timer = loop.call_later(timeout, _expire, future)
        try:
            return await future
        except BaseException:
            if waiter in self._waiting:
                self._waiting.remove(waiter)
            if future.done() and not future.cancelled() and future.exception() is None:
                self.release(future.result())  # granted just as it gave up: pass the turn on
            else:
                future.cancel()
            raise
        finally:
            timer.cancel()

    def release(self, turn: Turn, finished: bool = True) -> None:
        """Give a turn back (charging its client and text: `finished` False for a query that
        was stopped or abandoned) and hand turns to waiting queries."""
        self._held.remove(turn)
        seconds = self._clock() - turn.started
        self._clients.charge(turn.client, seconds, finished)
        if turn.query is not None:
            self._queries.charge(turn.query, seconds, finished)
        self._dispatch()

    def _dispatch(self) -> None:
        """Grant free turns to the best-ranked waiting queries that may start.

        With every turn held nothing can start, so nothing is ranked: under load (32 clients,
        4 turns) that is every arrival, and ranking costs a pass over everyone waiting."""
        if not self._waiting or len(self._held) >= self.turns:
            return
        self._rank()
        while self._waiting:
            light_only = not self._may_start(True)
            if light_only and not self._may_start(False):
                return
            eligible = [w for w in self._waiting if not w.heavy] if light_only else self._waiting
            if not eligible:
                return
            waiter = min(eligible, key=_RANK_ORDER)
            self._waiting.remove(waiter)
            if waiter.future.done():  # timed out or cancelled, and not yet back to leave the line
                continue
            waiter.future.set_result(self._hold(waiter.client, waiter.query, waiter.heavy))  # held from now

    def _rank(self) -> None:
        """Rank waiting queries by their kind and their clients' use now, not at arrival.

        The same figures as `_heavy` and `usage` give each waiter, with the turns running now
        summed once and each client's once, not once per waiting query (with 32 clients 28
        wait, most often all from one address)."""
        now = self._clock()
        running_clients: dict[str, tuple[float, int]] = {}
        running_queries: dict[int, tuple[float, int]] = {}
        for turn in self._held:
            held_for = now - turn.started
            seconds, count = running_clients.get(turn.client, (0.0, 0))
            running_clients[turn.client] = (seconds + held_for, count + 1)
            if turn.query is not None:
                seconds, count = running_queries.get(turn.query, (0.0, 0))
                running_queries[turn.query] = (seconds + held_for, count + 1)
        clients: dict[str, tuple[float, float]] = {}  # client → (usage, expected cost)
        for waiter in self._waiting:
            known = clients.get(waiter.client)
            if known is None:
                seconds, finished = self._clients.past(waiter.client)
                running, count = running_clients.get(waiter.client, (0.0, 0))
                by_client = _estimate(seconds, finished, running, count)
                known = clients[waiter.client] = (seconds + running, by_client or 0.0)
            usage, expected = known
            query = waiter.query
            if query is not None and (query in self._queries or query in running_queries):
                seconds, finished = self._queries.past(query)
                running, count = running_queries.get(query, (0.0, 0))
                by_text = _estimate(seconds, finished, running, count)
                if by_text is not None:
                    expected = by_text
            waiter.heavy = expected >= self.heavy_s
            waiter.usage = usage

    def _hold(self, client: str, query: int | None, heavy: bool) -> Turn:
        turn = Turn(client, query, self._clock(), heavy)
        self._held.append(turn)
        return turn

    def _make_room_for(self, heavy: bool, usage: float) -> None:
        """Displace the newest query of the heaviest client among the heavy queries if the
        newcomer is light, else among queries of its own kind if that client has used clearly
        more than the newcomer's; otherwise refuse the newcomer."""
        self._rank()  # as they stand now (`_dispatch` ranks only when a turn is free)
        self._waiting = [w for w in self._waiting if not w.future.done()]  # those leaving already
        if len(self._waiting) < self.max_waiting:
            return
        last = max(self._waiting, key=lambda w: (w.heavy, w.usage, w.arrival))
        lighter = last.heavy and not heavy
        if not lighter and not (last.heavy == heavy and last.usage > 2 * usage + SIGNIFICANT_S):
            raise self._refusal(len(self._waiting))
        self._waiting.remove(last)
        last.future.set_exception(self._refusal(len(self._waiting) + 1))
