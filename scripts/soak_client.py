#!/usr/bin/env python3
"""Mixed HTTP load for scripts/soak.sh: standard library only, 127.0.0.1 only.

Each worker registers its own SALES user, then loops until the deadline over a weighted mix:
get a lead, list leads (varying page, limit, sort, filters), create a lead, update one, add an
activity, read /api/auth/me, rotate its refresh token. Each worker keeps at most WINDOW leads of
its own (deleting the oldest), so the data set stays the same size and a growing RSS means the
server keeps memory, not that it holds more rows.

Prints one JSON line with counts at the end; exits 1 on any 5xx or transport error.
"""
import argparse
import http.client
import json
import random
import sys
import threading
import time
import uuid

WINDOW = 100
MIX = [  # (operation, weight)
    ("get", 40), ("list", 25), ("create", 15), ("update", 8), ("activity", 5), ("me", 5), ("refresh", 2),
]
SORTS = ["createdAt", "-createdAt", "updatedAt", "-updatedAt", "title", "-title", "status", "-status"]
STATUSES = ["NEW", "CONTACTED", "QUALIFIED", "CLOSED"]


class Worker(threading.Thread):
    def __init__(self, port, deadline, seed):
        super().__init__(daemon=True)
        self.port, self.deadline = port, deadline
        self.rng = random.Random(seed)
        self.conn = None
        self.counts = {}
        self.errors = []
        self.leads = []
        self.access = self.refresh_token = None

    def request(self, method, path, body=None, auth=True):
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if auth:
            headers["Authorization"] = "Bearer " + self.access
        data = json.dumps(body).encode() if body is not None else None
        for attempt in range(2):  # the server closes keep-alive connections after 100 requests
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                self.conn.request(method, path, body=data, headers=headers)
                resp = self.conn.getresponse()
                payload = resp.read()
                if resp.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return resp.status, (json.loads(payload) if payload else None)
            except (http.client.HTTPException, ConnectionError, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")

    def count(self, op, status):
        key = f"{op} {status}"
        self.counts[key] = self.counts.get(key, 0) + 1
        if status >= 500:
            self.errors.append(key)

    def register(self):
        email = f"soak-{uuid.uuid4().hex[:12]}@example.com"
        status, body = self.request("POST", "/api/auth/register",
                                    {"email": email, "password": "soak-password-1", "name": "Soak"}, auth=False)
        if status != 201:
            raise RuntimeError(f"register: {status} {body}")
        self.access, self.refresh_token = body["accessToken"], body["refreshToken"]

    def op_get(self):
        if not self.leads:
            return self.op_create()
        status, _ = self.request("GET", "/api/leads/" + self.rng.choice(self.leads))
        self.count("get", status)

    def op_list(self):
        r = self.rng
        params = [f"page={r.randint(1, 5)}", f"limit={r.choice([5, 20, 50, 100])}", "sort=" + r.choice(SORTS)]
        if r.random() < 0.3:
            params.append("status=" + ",".join(r.sample(STATUSES, r.randint(1, 2))))
        if r.random() < 0.2:
            params.append("q=" + r.choice(["soak", "deal", "zzz"]))
        status, _ = self.request("GET", "/api/leads?" + "&".join(params))
        self.count("list", status)

    def op_create(self):
        r = self.rng
        body = {"title": f"soak deal {r.randint(0, 10**6)}", "description": "x" * r.randint(0, 500),
                "status": r.choice(STATUSES), "source": r.choice(["web", "phone", None]),
                "metadata": {"n": r.randint(0, 100), "tags": ["a", "b"][: r.randint(0, 2)]}}
        status, resp = self.request("POST", "/api/leads", body)
        self.count("create", status)
        if status == 201:
            self.leads.append(resp["id"])
            if len(self.leads) > WINDOW:
                old = self.leads.pop(0)
                status, _ = self.request("DELETE", "/api/leads/" + old)
                self.count("delete", status)

    def op_update(self):
        if not self.leads:
            return self.op_create()
        status, _ = self.request("PUT", "/api/leads/" + self.rng.choice(self.leads),
                                 {"status": self.rng.choice(STATUSES), "description": "updated"})
        self.count("update", status)

    def op_activity(self):
        if not self.leads:
            return self.op_create()
        status, _ = self.request("POST", "/api/activities",
                                 {"leadId": self.rng.choice(self.leads), "type": "CALL", "body": "called"})
        self.count("activity", status)

    def op_me(self):
        status, _ = self.request("GET", "/api/auth/me")
        self.count("me", status)

    def op_refresh(self):
        status, body = self.request("POST", "/api/auth/refresh", {"refreshToken": self.refresh_token}, auth=False)
        self.count("refresh", status)
        if status == 200:
            self.access, self.refresh_token = body["accessToken"], body["refreshToken"]

    def run(self):
        ops = [op for op, w in MIX for _ in range(w)]
        try:
            self.register()
            while time.monotonic() < self.deadline:
                getattr(self, "op_" + self.rng.choice(ops))()
        except Exception as e:  # a transport failure is a finding: report it, do not hide it
            self.errors.append(f"{type(e).__name__}: {e}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--seconds", type=float, required=True)
    ap.add_argument("--workers", type=int, default=4)
    args = ap.parse_args()
    deadline = time.monotonic() + args.seconds
    workers = [Worker(args.port, deadline, seed) for seed in range(args.workers)]
    start = time.monotonic()
    for w in workers:
        w.start()
    for w in workers:
        w.join(args.seconds + 120)
    elapsed = time.monotonic() - start
    counts, errors = {}, []
    for w in workers:
        errors += w.errors
        for k, v in w.counts.items():
            counts[k] = counts.get(k, 0) + v
    total = sum(counts.values())
    print(json.dumps({"requests": total, "seconds": round(elapsed, 1), "per_second": round(total / elapsed, 1),
                      "counts": dict(sorted(counts.items())), "errors": errors[:20]}))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
