"""A minimal WhatsApp Bridge webhook receiver in plain Python 3 (standard library only).

Checks the token and the Standard Webhooks signature, drops replays, and answers 2xx fast.
    WEBHOOK_TOKEN=... WEBHOOK_SECRET=whsec_... PORT=8000 python3 receiver.py
"""
import base64
import hashlib
import hmac
import json
import os
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = os.environ.get("WEBHOOK_TOKEN", "")
SECRET = os.environ.get("WEBHOOK_SECRET", "")
SEEN = set()  # webhook-ids already processed (use a database in production)


def signature_valid(headers, body: bytes) -> bool:
    msg_id = headers.get("webhook-id")
    timestamp = headers.get("webhook-timestamp")
    if not msg_id or not timestamp or abs(time.time() - int(timestamp)) > 300:
        return False
    key = base64.b64decode(SECRET[6:]) if SECRET.startswith("whsec_") else SECRET.encode()
    signed = f"{msg_id}.{timestamp}.".encode() + body
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(hmac.compare_digest(s, expected) for s in headers.get("webhook-signature", "").split(" "))


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if TOKEN and self.headers.get("X-Webhook-Token") != TOKEN:
            return self.answer(401)
        if SECRET and not signature_valid(self.headers, body):
            return self.answer(401)
        self.answer(204)  # acknowledge first, then work
        msg_id = self.headers.get("webhook-id")
        if msg_id in SEEN:
            return  # a retry of something already handled
        SEEN.add(msg_id)
        message = json.loads(body)
        print(f"{message['sender']} ({message.get('push_name')}): {message['content']}", flush=True)

    def answer(self, status):
        self.send_response(status)
        self.end_headers()

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    server = ThreadingHTTPServer((os.environ.get("HOST", "0.0.0.0"), int(os.environ.get("PORT", "8000"))), Handler)
    print(f"Listening on port {server.server_address[1]}", flush=True)
    server.serve_forever()
