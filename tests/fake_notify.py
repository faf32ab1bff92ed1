"""A stand-in for GOV.UK Notify's API on a local port, for the notification tests (the real
one is on the internet, which tests never use). It answers the three calls the service
makes, as Notify documents them, and keeps what it was sent."""

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
API_KEY = f"test_key-{SERVICE_ID}-{SECRET}"


class FakeNotify:
    def __init__(self):
        self.sent: list[dict] = []  # each request's path and JSON body
        self.statuses: dict[str, str] = {}  # notification id -> status to report
        self.refuse_with: int | None = None  # answer sends with this HTTP status
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                assert self.headers["Authorization"].startswith("Bearer ")
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if fake.refuse_with:
                    error = {"error": "BadRequestError", "message": "phone_number Not a UK number"}
                    return self._answer(
                        fake.refuse_with, {"status_code": fake.refuse_with, "errors": [error]}
                    )
                notification_id = str(uuid.uuid4())
                fake.sent.append({"path": self.path, "id": notification_id, **body})
                fake.statuses[notification_id] = "sending"
                return self._answer(201, {"id": notification_id, "reference": body["reference"]})

            def do_GET(self):
                notification_id = self.path.rsplit("/", 1)[-1]
                status = fake.statuses.get(notification_id)
                if status is None:
                    return self._answer(404, {"status_code": 404, "errors": []})
                return self._answer(200, {"id": notification_id, "status": status})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
