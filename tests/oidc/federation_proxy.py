"""What Apache's mod_auth_openidc does in front of Keystone, for the
OpenID Connect live test (tests/live/oidc.rs): a reverse proxy to Keystone
that, on Keystone's federation endpoint
(/v3/OS-FEDERATION/identity_providers/*/protocols/*/auth), validates the
request's bearer token with the provider's userinfo endpoint (as
mod_auth_openidc's `AuthType oauth20` does with `OIDCOAuthVerifyJwksUri` or
introspection) and passes the claims on as `OIDC-Claim-<name>` request
headers (mod_auth_openidc's `OIDCPassClaimsAs headers`), which Keystone's
mapping engine reads as `HTTP_OIDC_CLAIM_<NAME>`. A request without a valid
bearer token is answered 401 without reaching Keystone. Claim headers a
client sends itself are dropped. Everything else is forwarded as it is.

    python federation_proxy.py PORT KEYSTONE_ROOT USERINFO_URL

Runs until killed. Standard library only.
"""

import http.client
import http.server
import json
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

FEDERATION = re.compile(r'^/v3/OS-FEDERATION/identity_providers/[^/]+/protocols/[^/]+/auth$')


def main():
    port, keystone, userinfo = int(sys.argv[1]), urllib.parse.urlsplit(sys.argv[2]), sys.argv[3]

    class Proxy(http.server.BaseHTTPRequestHandler):
        protocol_version = 'HTTP/1.1'

        def log_message(self, *args):
            pass

        def answer(self, status, body, headers=()):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header('Content-Type', 'application/json')
            self.send_header('Content-Length', str(len(data)))
            self.send_header('Connection', 'close')
            for k, v in headers:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def forward(self):
            length = int(self.headers.get('Content-Length') or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items()
                       if not k.lower().startswith('oidc-') and k.lower() not in ('host', 'connection')}
            if FEDERATION.match(urllib.parse.urlsplit(self.path).path):
                auth = self.headers.get('Authorization', '')
                if not auth.startswith('Bearer '):
                    return self.answer(401, {'error': {'code': 401, 'message': 'no bearer token'}},
                                       [('WWW-Authenticate', 'Bearer')])
                try:
                    with urllib.request.urlopen(
                            urllib.request.Request(userinfo, headers={'Authorization': auth}), timeout=10) as r:
                        claims = json.load(r)
                except urllib.error.HTTPError:
                    return self.answer(401, {'error': {'code': 401, 'message': 'the bearer token is not valid'}},
                                       [('WWW-Authenticate', 'Bearer error="invalid_token"')])
                headers.pop('Authorization', None)
                for name, value in claims.items():
                    headers['OIDC-Claim-' + name] = str(value)
            conn = http.client.HTTPConnection(keystone.hostname, keystone.port, timeout=30)
            conn.request(self.command, self.path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            self.send_response(resp.status)
            for k, v in resp.getheaders():
                if k.lower() not in ('content-length', 'connection', 'transfer-encoding', 'date', 'server'):
                    self.send_header(k, v)
            self.send_header('Content-Length', str(len(data)))
            self.send_header('Connection', 'close')
            self.end_headers()
            self.wfile.write(data)
            conn.close()

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = forward

    http.server.ThreadingHTTPServer(('127.0.0.1', port), Proxy).serve_forever()


if __name__ == '__main__':
    main()
