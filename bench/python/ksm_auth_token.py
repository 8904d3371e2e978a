"""keystonemiddleware's auth_token in front of a trivial WSGI app, on the
cache-hit path: the token was validated once (its body put in the
middleware's own token cache, as the first request would), then every
request is answered from the cache. In process, interpreter start
excluded. Prints one JSON line: requests, seconds, per-request ns.

    python bench/python/ksm_auth_token.py [SECONDS]
"""
import datetime
import json
import logging
import sys
import time

from keystonemiddleware import auth_token

logging.disable(logging.CRITICAL)

TOKEN = "gAAAAABbench-user-token"


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def token_body():
    now = datetime.datetime.now(datetime.timezone.utc)
    fmt = "%Y-%m-%dT%H:%M:%S.000000Z"
    return {"token": {
        "methods": ["password"],
        "user": {"id": "alice-id", "name": "alice", "domain": {"id": "default", "name": "Default"}},
        "project": {"id": "proj-id", "name": "demo", "domain": {"id": "default", "name": "Default"}},
        "roles": [{"id": "r1", "name": "member"}, {"id": "r2", "name": "reader"}],
        "issued_at": now.strftime(fmt),
        "expires_at": (now + datetime.timedelta(hours=1)).strftime(fmt),
        "audit_ids": ["audit-1"],
        "catalog": [{"type": "image", "name": "glance", "id": "g", "endpoints": [
            {"interface": "public", "url": "http://glance.example/", "region": "RegionOne",
             "region_id": "RegionOne", "id": "e1"}]}],
    }}


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    conf = {
        "www_authenticate_uri": "http://identity.example/v3",
        "auth_type": "password",
        "auth_url": "http://identity.example/v3",
        "username": "glance", "password": "p", "project_name": "service",
        "user_domain_id": "default", "project_domain_id": "default",
    }
    mw = auth_token.AuthProtocol(app, conf)
    mw._token_cache.initialize({})
    mw._token_cache.set(TOKEN, token_body())
    base = {
        "REQUEST_METHOD": "GET", "PATH_INFO": "/x", "SCRIPT_NAME": "", "QUERY_STRING": "",
        "SERVER_NAME": "localhost", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http", "HTTP_X_AUTH_TOKEN": TOKEN,
    }
    statuses = []

    def start_response(status, headers, exc_info=None):
        statuses.append(status)

    def one():
        body = b"".join(mw(dict(base), start_response))
        return body

    assert one() == b"ok" and statuses[-1].startswith("200"), statuses[-1:]
    n = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(100):
            one()
        n += 100
        if time.perf_counter() >= deadline:
            break
    elapsed = time.perf_counter() - start
    assert all(s.startswith("200") for s in statuses), set(statuses)
    print(json.dumps({"requests": n, "seconds": elapsed, "per_request_ns": elapsed / n * 1e9}))


if __name__ == "__main__":
    main()
