"""A small HTTP load generator, run in its own process so it never shares the server's GIL.

`concurrency` threads each keep one HTTP/1.1 keep-alive connection (http.client) to 127.0.0.1
and send the same GET request (`--post`: its query string as a form POST) back to back until
`duration` seconds or `max_requests` in all.
Prints one JSON object: requests, errors, status counts, throughput, latency percentiles.

    python -m bench.loadgen --port 8000 --path '/queries/x?y=z' --concurrency 8 --duration 5
"""

import argparse
import http.client
import json
import threading
import time
from collections import Counter


def _percentile(ordered: list[float], q: float) -> float:
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q / 100
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def run(
    port: int,
    path: str,
    concurrency: int,
    duration: float,
    max_requests: int,
    headers: dict[str, str],
    distinct: bool = False,
    post: bool = False,
) -> dict[str, object]:
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    statuses: list[Counter[int]] = [Counter() for _ in range(concurrency)]
    errors = [0] * concurrency
    sent = [0]
    lock = threading.Lock()
    start = threading.Barrier(concurrency + 1)
    deadline = [0.0]

    def worker(i: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        start.wait()
        while time.perf_counter() < deadline[0]:
            with lock:
                if sent[0] >= max_requests:
                    break
                sent[0] += 1
            began = time.perf_counter()
            # `distinct`: end the query text with a comment of its own (`%20%23` is " #"), so no
            # two requests send the same text and no cache can answer one from another
            target = f"{path}%20%23{i}-{len(latencies[i])}-{errors[i]}" if distinct else path
            try:
                if post:  # the query string as a form body (a long query passes any URL limit)
                    where, _, form = target.partition("?")
                    form_headers = {**headers, "Content-Type": "application/x-www-form-urlencoded"}
                    connection.request("POST", where, body=form.encode(), headers=form_headers)
                else:
                    connection.request("GET", target, headers=headers)
                response = connection.getresponse()
                response.read()
                statuses[i][response.status] += 1
                latencies[i].append((time.perf_counter() - began) * 1000)
            except (OSError, http.client.HTTPException):
                errors[i] += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline[0] = began + duration
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    everything = sorted(x for per in latencies for x in per)
    status_total: Counter[int] = Counter()
    for counter in statuses:
        status_total.update(counter)
    return {
        "requests": len(everything),
        "errors": sum(errors),
        "elapsed_s": elapsed,
        "statuses": {str(k): v for k, v in sorted(status_total.items())},
        "throughput_rps": len(everything) / elapsed if elapsed else 0.0,
        "p50_ms": _percentile(everything, 50),
        "p99_ms": _percentile(everything, 99),
        "concurrency": concurrency,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument("--header", action="append", default=[], help="Name: value")
    parser.add_argument(
        "--distinct",
        action="store_true",
        help="a distinct query text per request (the path ends in the query)",
    )
    parser.add_argument("--post", action="store_true", help="send the path's query string as a form POST")
    args = parser.parse_args()
    headers = dict(h.split(": ", 1) for h in args.header)
    result = run(
        args.port,
        args.path,
        args.concurrency,
        args.duration,
        args.max_requests,
        headers,
        args.distinct,
        args.post,
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
