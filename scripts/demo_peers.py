#!/usr/bin/env python3
# The peers Harbor talks to in the demo (scripts/demo.sh), on loopback ports of their own:
# a scanner adapter answering the metadata call of Harbor's pluggable scanner API
# (GET /api/v1/metadata, which Harbor makes before it registers a scanner), and a syslog
# receiver over TCP that appends every audit record Harbor forwards to the file given as the
# first argument. Prints "adapter=<url> syslog=<host:port>" once both listen.
import json
import socketserver
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

METADATA = json.dumps({
    "scanner": {"name": "Trivy", "vendor": "Aqua Security", "version": "demo"},
    "capabilities": [{
        "consumes_mime_types": [
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.v2+json",
        ],
        "produces_mime_types": ["application/vnd.security.vulnerability.report; version=1.1"],
    }],
    "properties": {"harbor.scanner-adapter/scanner-type": "os-package-vulnerability"},
}).encode()


class Adapter(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/api/v1/metadata":
            self.send_response(200)
            self.send_header("Content-Type", "application/vnd.scanner.adapter.metadata+json; version=1.0")
            self.send_header("Content-Length", str(len(METADATA)))
            self.end_headers()
            self.wfile.write(METADATA)
        else:
            self.send_error(404)

    def log_message(self, *args):
        pass


class Syslog(socketserver.StreamRequestHandler):
    def handle(self):
        for line in self.rfile:
            with open(sys.argv[1], "ab") as out:
                out.write(line.rstrip(b"\n") + b"\n")


def main():
    adapter = ThreadingHTTPServer(("127.0.0.1", 0), Adapter)
    syslog = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Syslog)
    syslog.daemon_threads = True
    for server in (adapter, syslog):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"adapter=http://127.0.0.1:{adapter.server_address[1]} syslog=127.0.0.1:{syslog.server_address[1]}", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
