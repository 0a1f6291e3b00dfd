#!/usr/bin/env python3
# HTTP fuzz for `wenshu serve --http`: starts the built binary on a free loopback port and, while
# a monitor asks GET /v1/health every 50 ms, throws at it malformed request lines and headers,
# 10 MB bodies (declared and chunked), invalid UTF-8, malformed JSON and wrong types, random
# bytes, and slowloris clients (connections that trickle a byte at a time, and ones that send
# nothing). Checks: every health check answers 200 within a second, throughout; each malformed
# request gets a 4xx answer or a closed connection (never a 5xx, a hang or a crash); silent
# connections are closed after the idle timeout and trickling ones after the request read
# deadline; a real question still answers at the end.
#
# Usage: python3 Tests/http_fuzz.py [--bin .build/debug/wenshu] [--db ../shared/data/retail_cn.sqlite]
# Standard library only; about 40 seconds. Ends with "http_fuzz: N passed, M failed".

import argparse, json, os, random, socket, subprocess, sys, tempfile, threading, time

ap = argparse.ArgumentParser()
here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)
ap.add_argument("--bin", default=None)
ap.add_argument("--db", default=os.path.join(root, "..", "shared", "data", "retail_cn.sqlite"))
ap.add_argument("--seconds", type=float, default=25, help="how long the slowloris clients keep going")
args = ap.parse_args()

def find_bin():
    if args.bin:
        return args.bin
    cands = [os.path.join(root, ".build", c, "wenshu") for c in ("release", "debug")]
    cands = [c for c in cands if os.path.exists(c)]
    if not cands:
        sys.exit("http_fuzz: build wenshu first (swift build)")
    return max(cands, key=os.path.getmtime)

results = []  # (name, ok, detail)
def check(name, ok, detail=""):
    results.append((name, bool(ok), detail))
    if not ok:
        print(f"FAIL {name}: {detail}", flush=True)

SECRET = "fuzz-secret-0001"
IDLE = 2.0
READ = 5.0
cfg = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False)
cfg.write(f"""
limits: {{max_body_bytes: 65536, idle_timeout_seconds: {IDLE}, request_timeout_seconds: {READ}, concurrent_questions: 2, seconds_per_question: 10}}
tokens:
  - {{name: fuzz, secret: "{SECRET}", rate_per_minute: 0, personal: masked}}
""")
cfg.close()

s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
proc = subprocess.Popen([find_bin(), "serve", "--http", f"127.0.0.1:{port}", "--config", cfg.name,
                         "--db", args.db, "--today", "2026-11-22"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

def connect(timeout=5.0):
    c = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    c.settimeout(timeout)
    return c

def read_response(c):
    """The status of one response (None when the server closed the connection without one)."""
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = c.recv(65536)
            if not chunk:
                break
            data += chunk
    except (ConnectionResetError, BrokenPipeError):
        pass
    except socket.timeout:
        return "timeout"
    if not data.startswith(b"HTTP/1.1 "):
        return None
    return int(data[9:12])

def raw(payload, name, allow_close=True, expect=None):
    """Sends raw bytes; the answer must be 4xx (or `expect`), or a closed connection."""
    try:
        c = connect()
        try:
            c.sendall(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass
        st = read_response(c)
        c.close()
    except OSError as e:
        st = f"error {e}"
    if expect is not None:
        check(name, st in expect, f"status {st}")
    else:
        check(name, (st is None and allow_close) or (isinstance(st, int) and 400 <= st < 500), f"status {st}")

def request(method, path, body=b"", headers=None):
    h = {"Host": "x", "Authorization": f"Bearer {SECRET}", "Content-Type": "application/json"}
    h.update(headers or {})
    if method == "POST" and "Transfer-Encoding" not in h:
        h["Content-Length"] = str(len(body))
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in h.items()) + "\r\n"
    return head.encode() + body

# Wait for the server.
for _ in range(600):
    try:
        connect(0.5).close()
        break
    except OSError:
        if proc.poll() is not None:
            sys.exit("http_fuzz: the server exited: " + proc.stderr.read().decode(errors="replace"))
        time.sleep(0.1)

# The monitor: a health check every 50 ms on a fresh connection, for the whole run.
stop = threading.Event()
health = {"ok": 0, "bad": [], "worst": 0.0}
def monitor():
    while not stop.is_set():
        t = time.time()
        try:
            c = connect(2.0)
            c.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            st = read_response(c)
            c.close()
        except OSError as e:
            st = f"error {e}"
        dt = time.time() - t
        health["worst"] = max(health["worst"], dt)
        if st == 200 and dt < 1.0:
            health["ok"] += 1
        else:
            health["bad"].append((round(time.time(), 2), st, round(dt, 3)))
        time.sleep(0.05)
mon = threading.Thread(target=monitor, daemon=True); mon.start()

# Slowloris: connections trickling a header byte every 0.5 s, and silent ones.
slow_stop = threading.Event()
slow_closed = []
def slowloris(i):
    t = time.time()
    try:
        c = connect(10)
        msg = f"POST /v1/ask HTTP/1.1\r\nHost: x\r\nX-Slow-{i}: ".encode() + b"a" * 10000
        for b in msg:
            if slow_stop.is_set():
                break
            c.send(bytes([b]))
            time.sleep(0.5)
        c.close()
    except OSError:
        slow_closed.append(time.time() - t)
slow = [threading.Thread(target=slowloris, args=(i,), daemon=True) for i in range(150)]
for t in slow: t.start()

silent_closed = []
def silent():
    try:
        c = connect(IDLE * 5)
        t = time.time()
        r = c.recv(1)  # b"" when the server closes
        silent_closed.append((r == b"", time.time() - t))
    except OSError:
        silent_closed.append((False, -1))
silents = [threading.Thread(target=silent, daemon=True) for _ in range(50)]
for t in silents: t.start()

# Half-sent bodies: Content-Length 1000, 10 bytes sent, then silence: closed by the idle timeout.
def half_body():
    try:
        c = connect(IDLE * 5)
        c.sendall(request("POST", "/v1/ask", b"", {"Content-Length": "1000"})[:-0 or None] + b'{"question"')
        t = time.time()
        st = read_response(c)
        silent_closed.append((st is None or (isinstance(st, int) and st >= 400), time.time() - t))
    except OSError:
        silent_closed.append((True, 0))
halves = [threading.Thread(target=half_body, daemon=True) for _ in range(20)]
for t in halves: t.start()

# Malformed HTTP.
raw(b"\x00\x01\x02garbage\r\n\r\n", "binary request line")
raw(b"GET / HTTP/9.9\r\n\r\n", "unknown HTTP version")
raw(b"BREW /v1/ask HTTP/1.1\r\nHost: x\r\n\r\n", "unknown method")
raw(b"GET /v1/health HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n", "header without colon")
raw(b"GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n", "200 KB header")
raw(b"GET /" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", "100 KB URL")
raw(b"POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n", "negative Content-Length")
raw(b"POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 9\r\n\r\nabcde", "two Content-Lengths")
raw(b"POST /v1/ask HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nabc\r\n0\r\n\r\n", "bad chunk size")
raw(request("GET", "/v1/ask/../../etc/passwd"), "path traversal")
raw(request("GET", "/v1/health%00"), "NUL in path")
raw(request("POST", "/v1/ask", b'{"question": "x"}', {"Authorization": "Bearer " + "x" * 5000}), "long wrong token")
raw(request("POST", "/v1/ask", b'{"question": "x"}', {"Authorization": "Basic Zm9vOmJhcg=="}), "basic auth")

# 10 MB bodies: declared (413 before reading), undeclared chunked (413 once past the limit), slow.
ten = b'{"question": "' + b"a" * (10 << 20) + b'"}'
raw(request("POST", "/v1/ask", ten), "10 MB declared body", expect=(413, None))
chunked = request("POST", "/v1/ask", b"", {"Transfer-Encoding": "chunked"})
body = b"".join(b"%x\r\n" % len(ten[i:i + 65536]) + ten[i:i + 65536] + b"\r\n" for i in range(0, len(ten), 65536)) + b"0\r\n\r\n"
raw(chunked + body, "10 MB chunked body", expect=(413, None))
def ten_mb_parallel(i):
    raw(request("POST", "/v1/ask", ten), f"10 MB body in parallel {i}", expect=(413, None))
par = [threading.Thread(target=ten_mb_parallel, args=(i,)) for i in range(8)]
for t in par: t.start()
for t in par: t.join()

# Invalid UTF-8 and malformed JSON: 400 with a message.
rng = random.Random(20261206)
def ask_status(body):
    c = connect(15)
    c.sendall(request("POST", "/v1/ask", body))
    st = read_response(c)
    c.close()
    return st
for i in range(30):
    junk = bytes(rng.randrange(0x80, 0x100) for _ in range(rng.randrange(1, 40)))
    st = ask_status(b'{"question": "' + junk + b'"}')
    check(f"invalid UTF-8 {i}", st == 400, f"status {st}")
bad_json = [b"{", b"}", b"[]", b"null", b'{"question": 1}', b'{"question": ["a"]}', b'{"question": "x", "limit": -1}',
            b'{"question": "x", "limit": 1e400}', b'{"question": "x", "today": "yesterday"}', b'{"question": "x", "format": {}}',
            b'{"question": "\\ud800"}', b'{"question": "x", "extra": 1}', b"\xef\xbb\xbf{}", b"",
            b"[" * 10000 + b"]" * 10000, b'{"a":' * 5000 + b"1" + b"}" * 5000]
for i, b in enumerate(bad_json):
    st = ask_status(b)
    check(f"malformed JSON {i} {b[:30]!r}", st == 400, f"status {st}")
# Valid (or leniently read) JSON that is no question: answered with a refusal, or 400.
for i, b in enumerate([b'{"question": "x",}', b'{"question": "' + b"\\u0000" * 1000 + b'"}', b'{"question": "\\u202e\\u0000"}']):
    st = ask_status(b)
    check(f"odd JSON {i}", st in (200, 400), f"status {st}")
for i in range(200):
    blob = bytes(rng.randrange(0, 256) for _ in range(rng.randrange(0, 300)))
    raw(blob + b"\r\n\r\n", f"random bytes {i}")
for i in range(100):
    fields = {"question": rng.choice(["销售额", 1, None, [], {}, True, "上月复购率", "\u202e" * 50]),
              rng.choice(["format", "limit", "today", "conversation_id"]): rng.choice([None, 0, -1, 10**30, "x", [], {}, 3.5, "json"])}
    st = ask_status(json.dumps(fields).encode())
    check(f"random fields {i}", st in (200, 400), f"status {st} for {fields}")

# Keep the slowloris clients going a while, then check the silent ones were closed.
time.sleep(max(0.0, args.seconds - 10))
for t in silents + halves: t.join(timeout=IDLE * 6)
closed = [ok for ok, dt in silent_closed if ok]
check("silent and half-sent connections closed by the idle timeout", len(closed) == len(silents) + len(halves),
      f"{len(closed)} of {len(silents) + len(halves)} closed; waits {sorted(round(dt, 1) for _, dt in silent_closed)[-3:]}")
check("idle close in time", all(dt <= IDLE * 3 for ok, dt in silent_closed if ok), str(sorted(round(dt, 1) for _, dt in silent_closed)[-3:]))
slow_stop.set()
for t in slow: t.join(timeout=2)
check("slowloris clients closed by the request read deadline", len(slow_closed) == len(slow) and max(slow_closed) <= READ + 3,
      f"{len(slow_closed)} of {len(slow)} closed; latest after {max(slow_closed or [0]):.1f} s")

# A real question still answers.
c = connect(15)
c.sendall(request("POST", "/v1/ask", json.dumps({"question": "上个月销售额", "today": "2026-11-22"}).encode()))
data = b""
while True:
    try:
        chunk = c.recv(65536)
    except socket.timeout:
        break
    if not chunk:
        break
    data += chunk
    if b"\r\n\r\n" in data:
        head, _, rest = data.partition(b"\r\n\r\n")
        n = [int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")]
        if n and len(rest) >= n[0]:
            break
check("a real question answers at the end", data.startswith(b"HTTP/1.1 200") and b'"rows"' in data, data[:200])

stop.set(); mon.join()
check("health answered 200 within 1 s throughout", not health["bad"] and health["ok"] > 100,
      f"{health['ok']} ok, failures {health['bad'][:5]}, worst {health['worst']:.3f} s")
check("the server is still running", proc.poll() is None, "exited")
proc.terminate()
try:
    proc.wait(timeout=10)
except subprocess.TimeoutExpired:
    proc.kill()
os.unlink(cfg.name)
passed = sum(1 for _, ok, _ in results if ok)
failed = len(results) - passed
print(f"health checks: {health['ok']} answered, worst {health['worst'] * 1000:.0f} ms")
print(f"http_fuzz: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
