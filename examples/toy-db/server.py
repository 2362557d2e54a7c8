"""The system under test: one counter over HTTP. GET /counter reads it, POST /add/N adds N,
GET /health answers once it serves. It keeps the counter in memory only, so a crash loses it."""
import http.server
import sys
import threading

value = 0
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def reply(self, code, body):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/health":
            return self.reply(200, "ok")
        if self.path == "/counter":
            with lock:
                return self.reply(200, str(value))
        self.reply(404, "no such path")

    def do_POST(self):
        global value
        if self.path.startswith("/add/"):
            try:
                delta = int(self.path[len("/add/"):])
            except ValueError:
                return self.reply(400, "not a number")
            with lock:
                value += delta
            return self.reply(200, "ok")
        self.reply(404, "no such path")

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("0.0.0.0", int(sys.argv[1])), Handler).serve_forever()
