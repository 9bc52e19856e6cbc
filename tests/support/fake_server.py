"""A small fake OpenAI-compatible server (shaped like llama.cpp's) that misbehaves on purpose.

It binds to 127.0.0.1 only, on a free port, in a thread of the test process. Its tokenizer is one
token per character (the id is the code point) and every next-token distribution is the same
CANDIDATES, so a healthy server scores answers exactly and quickly. `mode` picks a misbehaviour:

  ok            a healthy llama.cpp-like server
  redirect      every request answered 302 to `redirect_to` (another server, which records hits)
  nan           a log-probability of NaN in every completion
  positive      a log-probability of +2 in every completion
  trickle       the whole response (status line first) one byte every 0.2 s, for minutes
  huge          a reply that never ends (no Content-Length, spaces until the client hangs up)
  not_utf8      a reply body that is not UTF-8
  not_object    JSON that is not an object
  missing_field a JSON object without the field asked for
  bad_status    a status line that is not HTTP
  short_body    a body shorter than its Content-Length
  flaky_probe   the first log-probability probe gets HTTP 503, then the server is healthy
  down_probe    every log-probability probe gets HTTP 503 (the server is overloaded)
  surrogate     every sampled text holds a lone UTF-16 surrogate ("7\\ud800")
  long          every sampled text is 20,000 characters, whatever max_tokens asked for
"""

from __future__ import annotations

import http.server
import json
import math
import threading
import time

CANDIDATES = {"7": 0.4, "3": 0.2, " ": 0.1, "\n": 0.1, ".": 0.1, "x": 0.1}
MODES = (
    "ok", "redirect", "nan", "positive", "trickle", "huge", "not_utf8", "not_object", "missing_field",
    "bad_status", "short_body", "flaky_probe", "down_probe", "surrogate", "long",
)  # fmt: skip


class _Handler(http.server.BaseHTTPRequestHandler):
    fake: FakeServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802 (http.server's naming)
        self._answer(None)

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length", 0))
        self._answer(json.loads(self.rfile.read(length) or b"{}"))

    # -- replies ----------------------------------------------------------------------------------
    def _raw(self, data: bytes) -> None:
        self.wfile.write(data)
        self.wfile.flush()
        self.close_connection = True

    def _json(self, payload, status: int = 200) -> None:
        data = json.dumps(payload).encode()  # NaN is written as NaN, as a careless server would
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _answer(self, body: dict | None) -> None:
        fake, mode = self.fake, self.fake.mode
        fake.requests.append((self.command, self.path, dict(self.headers)))
        if mode == "redirect":
            self.send_response(302)
            self.send_header("Location", fake.redirect_to + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if mode == "trickle":
            reply = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"data": ['
            try:
                for byte in reply + b" " * 100_000:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.2)
                    if fake.stopping:
                        break
            except OSError:
                pass
            self.close_connection = True
            return
        if mode == "huge":
            self._raw(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n[")
            try:
                while not fake.stopping:
                    self.wfile.write(b" " * 65536)
            except OSError:
                pass
            return
        if mode == "bad_status":
            return self._raw(b"HTTQ/9 what\r\n\r\n")
        if mode == "short_body":
            return self._raw(b'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n{"data": []')
        if mode == "not_utf8":
            return self._raw(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\n\xff\xfe{}\xc3\x28")
        if mode == "not_object":
            return self._json([1, 2, 3])
        if mode == "missing_field":
            return self._json({"object": "list"})
        self._healthy(body)

    def _healthy(self, body: dict | None) -> None:
        fake, path = self.fake, self.path
        if path == "/v1/models":
            return self._json({"object": "list", "data": [{"id": "fake", "object": "model"}]})
        if path == "/props":
            return self._json({"default_generation_settings": {}, "model_path": "/fake.gguf", "total_slots": 1,
                               "chat_template": "{{ messages }}"})  # fmt: skip
        if path == "/tokenize":
            return self._json({"tokens": [ord(c) for c in body.get("content", "")]})
        if path == "/apply-template":
            return self._json({"prompt": "<user>" + body["messages"][0]["content"] + "<assistant>"})
        if path == "/v1/completions":
            probe = body.get("prompt") == "0" and body.get("max_tokens") == 1
            if probe and (fake.mode == "down_probe" or (fake.mode == "flaky_probe" and not fake.probe_failed)):
                fake.probe_failed = True
                return self._json({"error": "overloaded"}, status=503)
            return self._json(self._completion(body))
        return self._json({"error": "not found"}, status=404)

    def _completion(self, body: dict) -> dict:
        prompts = body["prompt"] if isinstance(body["prompt"], list) and body["prompt"] and isinstance(
            body["prompt"][0], list) else [body["prompt"]]  # fmt: skip
        n = int(body.get("n", 1))
        if not body.get("logprobs"):
            text = {"surrogate": "7\ud800", "long": "7" * 20_000}.get(self.fake.mode, "7")
            return {"choices": [{"index": i, "text": text} for i in range(n * len(prompts))]}
        top = [{"id": ord(t), "token": t, "logprob": math.log(p)} for t, p in CANDIDATES.items()]
        if self.fake.mode == "nan":
            top[0]["logprob"] = float("nan")
        if self.fake.mode == "positive":
            top[0]["logprob"] = 2.0
        choice = {"text": "7", "logprobs": {"content": [{"id": 55, "token": "7", "logprob": top[0]["logprob"],
                                                         "top_logprobs": top}]}}  # fmt: skip
        return {"choices": [choice | {"index": i} for i in range(len(prompts))]}


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A client hanging up mid-reply (the point of several modes) is not news: print nothing,
        so the CLI's captured stderr holds only what the app said."""


class FakeServer:
    """`with FakeServer("nan") as server: server.url ...`; `requests` lists what it was asked."""

    def __init__(self, mode: str = "ok", *, redirect_to: str = ""):
        assert mode in MODES, mode
        self.mode, self.redirect_to = mode, redirect_to
        self.requests: list[tuple[str, str, dict]] = []
        self.stopping = False
        self.probe_failed = False
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = _QuietServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakeServer:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping = True
        self._server.shutdown()
        self._server.server_close()
