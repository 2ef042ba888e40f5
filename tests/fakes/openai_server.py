"""A local OpenAI-compatible chat-completions server for tests and benchmarks.

`POST /v1/chat/completions` answers with a deterministic, schema-valid summary derived from the
paper in the request (so different papers get different summaries) and a `usage` block. It is
scriptable — latency, 429 (with retry-after) / 500, invalid JSON, truncated output
(finish_reason "length"), schema violations, rejecting `json_schema` like providers without
structured outputs — and records every request. A ThreadingHTTPServer serves each connection on
its own thread, so latency is slept concurrently and the fake is never the bottleneck.

    with FakeOpenAI(latency=0.2) as fake:
        fake.script("429", "invalid_json")    # the next two requests, then "ok" again
        settings = Settings(openai_base_url=fake.base_url, openai_api_key="test", ...)

`POST /v1/embeddings` checks the request as OpenAI's API does (`model` a non-empty string;
`input` a non-empty string or a list of 1–2048 non-empty strings; `encoding_format` "float" or
"base64", the latter being what the `openai` client asks for by default; `dimensions` a positive
integer) and answers 400 otherwise; each text's vector is its words hashed into `EMBEDDING_DIMS`
dimensions, unit length, so texts sharing words are near.

Like a provider it can also check credentials and models: `FakeOpenAI(api_key="sk-…")` answers
401 to any other bearer token, `FakeOpenAI(models={"m"})` answers 404 `model_not_found` for any
other model (chat completions and `GET /v1/models/{id}` alike). Both default to accepting all.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import struct
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

STEPS = ("ok", "429", "500", "invalid_json", "truncated", "schema_violation")
EMBEDDING_DIMS = 64
MAX_EMBEDDING_INPUTS = 2048  # the real API's limit per request
_PAPER = re.compile(r"<paper>\s*(.*?)\s*</paper>", re.DOTALL)


@dataclass(frozen=True)
class Recorded:
    """One request as the fake saw it, and which scripted step answered it."""

    body: dict[str, Any]
    step: str

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", []))

    @property
    def response_format(self) -> str | None:
        fmt = self.body.get("response_format") or {}
        return fmt.get("type")

    @property
    def paper(self) -> dict[str, Any] | None:
        return paper_from_messages(self.messages)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # the default backlog of 5 stalls bursts of new connections by ~1 s

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client that hung up is normal
            super().handle_error(request, client_address)


class FakeOpenAI:
    def __init__(
        self,
        *,
        latency: float = 0.0,
        api_key: str | None = None,
        models: set[str] | None = None,
    ) -> None:
        self.latency = latency
        self.api_key = api_key
        self.models = models
        self.reject_json_schema = False
        self.default_step = "ok"
        self.content_patch: dict[str, Any] = {}
        self.requests: list[Recorded] = []
        self.embedding_requests: list[dict[str, Any]] = []
        self.in_flight = 0
        self.max_in_flight = 0  # the most requests the fake was serving at once
        self._script: deque[str] = deque()
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._server = _Server(("127.0.0.1", 0), _handler_for(self))
        # shutdown() waits for the serving thread's next poll: 50 ms, not the default 500 ms
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def start(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def script(self, *steps: str) -> None:
        """Queue behaviours for the next requests (FIFO); afterwards `default_step` applies."""
        unknown = set(steps) - set(STEPS)
        if unknown:
            raise ValueError(f"unknown steps {unknown}; known: {STEPS}")
        with self._lock:
            self._script.extend(steps)

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self._script.clear()

    @property
    def calls(self) -> int:
        with self._lock:
            return len(self.requests)

    def wait_for_calls(self, count: int, timeout: float = 10.0) -> bool:
        """Block until `count` requests have arrived (run it via asyncio.to_thread)."""
        with self._arrived:
            return self._arrived.wait_for(lambda: len(self.requests) >= count, timeout)

    def steps_taken(self) -> list[str]:
        with self._lock:
            return [recorded.step for recorded in self.requests]

    def _next_step(self, body: dict[str, Any]) -> str:
        with self._lock:
            step = self._script.popleft() if self._script else self.default_step
            fmt = (body.get("response_format") or {}).get("type")
            if self.reject_json_schema and fmt == "json_schema":
                step = "reject_json_schema"
            self.requests.append(Recorded(body=body, step=step))
            self._arrived.notify_all()
            return step

    def respond(self, body: dict[str, Any]) -> tuple[int, dict[str, str], dict[str, Any]]:
        """(status, headers, JSON body) for one request; runs on the handler's thread."""
        step = self._next_step(body)
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.latency:
                time.sleep(self.latency)
            return self._answer(step, body)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _answer(
        self, step: str, body: dict[str, Any]
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        if step in ("429", "500"):
            status = int(step)
            headers = {"retry-after": "1", "retry-after-ms": "20"}
            return status, headers, _error(f"scripted HTTP {status}", "rate_limit_exceeded")
        if step == "reject_json_schema":
            message = "response_format type 'json_schema' is not supported by this model"
            return 400, {}, _error(message, "invalid_request_error", param="response_format")
        content, finish = self._content_for(step, body)
        return 200, {}, _completion(body, content, finish)

    def _content_for(self, step: str, body: dict[str, Any]) -> tuple[str, str]:
        paper = paper_from_messages(body.get("messages", [])) or {}
        language = "zh" if "Simplified Chinese" in _system_text(body) else "en"
        if "weekly round-up" in _system_text(body):  # jobs/summarize/weekly_prompt.py
            summary = {**weekly_for(paper), **self.content_patch}
        else:
            summary = {**summary_for(paper, language), **self.content_patch}
        text = json.dumps(summary, ensure_ascii=False)
        if step == "invalid_json":
            return "Sure! Here is the summary: {" + text[1:80], "stop"
        if step == "truncated":
            return text[: len(text) // 2], "length"
        if step == "schema_violation":
            return json.dumps({"tldr": 42, "keywords": "not-a-list", "rating": 3}), "stop"
        return text, "stop"


def paper_from_messages(messages: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The JSON paper object inside the first <paper>…</paper> block of a user message."""
    for message in messages:
        match = _PAPER.search(str(message.get("content") or ""))
        if message.get("role") == "user" and match:
            try:
                paper = json.loads(match.group(1))
            except json.JSONDecodeError:
                return None
            return paper if isinstance(paper, dict) else None
    return None


def summary_for(paper: dict[str, Any], language: str) -> dict[str, Any]:
    """A deterministic summary that only restates the paper (numbers and links included)."""
    title = str(paper.get("title") or "Untitled")
    abstract = str(paper.get("abstract") or "")
    sentences = [s.strip() for s in re.split(r"(?<=\.)\s+", abstract) if s.strip()]
    headline = next(
        (s for s in sentences if re.search(r"\d", s)), sentences[0] if sentences else title
    )
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z\-]{3,}", title)][:4] or ["paper"]
    rating = (2 + int(hashlib.sha256(title.encode()).hexdigest(), 16) % 9) / 2  # 1, 1.5, … 5
    zh = language == "zh"
    return {
        "title_translated": f"{title}（中文标题）" if zh else title,
        "tldr": f"本文要点：{headline}" if zh else headline,
        "summary": f"本文研究了{title}。{headline}" if zh else f"This paper studies {title}.",
        "background": f"背景：{sentences[0]}" if zh and sentences else (sentences or [""])[0],
        "method": f"方法：{title}" if zh else f"The method of {title}.",
        "contributions": [f"{'贡献' if zh else 'Contribution'}: {word}" for word in words[:3]],
        "results": headline,
        "future_work": "未来工作：扩展到更多场景。" if zh else "Extend to more settings.",
        "overview": _overview(title, sentences, zh),
        "rating": rating,
        "rating_reason": f"分析总结：本文与{words[0]}相关。" if zh else f"Relevant to {words[0]}.",
        "keywords": [word.lower() for word in words],
        "topic": f"{words[0]}方法研究" if zh else f"{words[0]} methods",
        "abstract_translated": f"【译文】{abstract}" if zh else abstract,
        "code_url": paper.get("code_url") or _first_code_link(f"{abstract} {paper.get('comment')}"),
    }


def weekly_for(paper: dict[str, Any]) -> dict[str, Any]:
    """A weekly entry that only restates the paper: its claim, then problem, idea, result."""
    title = str(paper.get("title") or "Untitled")
    sentences = [s.strip() for s in re.split(r"(?<=\.)\s+", str(paper.get("abstract") or ""))]
    sentences = [s for s in sentences if s] or [title]
    result = next((s for s in reversed(sentences) if re.search(r"\d", s)), sentences[-1])
    name = title.split(":")[0].strip()
    return {
        "heading": f"{name}：本文的方法带来更好的效果",
        "explanation": "\n\n".join(
            (f"问题：{sentences[0]}", f"核心思想：$\\mathcal{{L}}$ 见{name}。", f"结果：{result}")
        ),
    }


def _overview(title: str, sentences: list[str], zh: bool) -> str:
    """Two paragraphs of prose restating the abstract (内容概要 in seed 000's shape)."""
    first = f"本文介绍了{title}。" if zh else f"This paper presents {title}."
    rest = " ".join(sentences[1:]) or title
    return f"{first}\n\n{rest}"


def _first_code_link(text: str) -> str | None:
    match = re.search(r"https?://github\.com/[\w.\-/]+", text)
    return match.group(0).rstrip(".") if match else None


def _system_text(body: dict[str, Any]) -> str:
    return " ".join(
        str(m.get("content")) for m in body.get("messages", []) if m.get("role") == "system"
    )


def _error(message: str, kind: str, *, param: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": param, "code": None}}


def _completion(body: dict[str, Any], content: str, finish: str) -> dict[str, Any]:
    prompt_chars = sum(len(str(m.get("content") or "")) for m in body.get("messages", []))
    prompt_tokens, completion_tokens = prompt_chars // 4 + 1, len(content) // 4 + 1
    return {
        "id": f"chatcmpl-fake-{hashlib.md5(content.encode()).hexdigest()[:12]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "fake"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": finish,
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def _refusal(fake: FakeOpenAI, authorization: str, model: str | None) -> tuple[int, str] | None:
    """(status, message) when the key or the model is not one the fake was told to accept."""
    if fake.api_key is not None and authorization != f"Bearer {fake.api_key}":
        return 401, "Incorrect API key provided"
    if fake.models is not None and model not in fake.models:
        return 404, f"The model `{model}` does not exist or you do not have access to it."
    return None


def embeddings_answer(body: dict[str, Any]) -> tuple[int, dict[str, str], dict[str, Any]]:
    """(status, headers, payload) of `POST /v1/embeddings`: 400 for a request the real API
    refuses, else one vector per input in order, as floats or base64 as asked."""
    problem = _embeddings_problem(body)
    if problem is not None:
        return 400, {}, _error(problem[1], "invalid_request_error", param=problem[0])
    texts = [body["input"]] if isinstance(body["input"], str) else body["input"]
    dims = body.get("dimensions") or EMBEDDING_DIMS
    as_base64 = body.get("encoding_format") == "base64"
    data = []
    for i, text in enumerate(texts):
        vector = fake_embedding(text, dims)
        packed = base64.b64encode(struct.pack(f"<{dims}f", *vector)).decode()
        embedding = packed if as_base64 else vector
        data.append({"object": "embedding", "index": i, "embedding": embedding})
    tokens = sum(len(text.split()) for text in texts)
    usage = {"prompt_tokens": tokens, "total_tokens": tokens}
    return 200, {}, {"object": "list", "data": data, "model": body["model"], "usage": usage}


def _embeddings_problem(body: dict[str, Any]) -> tuple[str, str] | None:
    """(param, message) of what is wrong with an embeddings request, as the API words it."""
    if not isinstance(body.get("model"), str) or not body["model"]:
        return "model", "you must provide a model parameter"
    texts = body.get("input")
    if isinstance(texts, str):
        texts = [texts]
    if not isinstance(texts, list) or not 1 <= len(texts) <= MAX_EMBEDDING_INPUTS:
        return "input", "'$.input' is invalid: a string or an array of 1 to 2048 strings"
    if not all(isinstance(t, str) and t for t in texts):
        return "input", "'$.input' is invalid: every input must be a non-empty string"
    if body.get("encoding_format", "float") not in ("float", "base64"):
        return "encoding_format", "encoding_format must be 'float' or 'base64'"
    dims = body.get("dimensions")
    if dims is not None and (not isinstance(dims, int) or isinstance(dims, bool) or dims < 1):
        return "dimensions", "dimensions must be a positive integer"
    return None


def fake_embedding(text: str, dims: int = EMBEDDING_DIMS) -> list[float]:
    """The text's lower-cased words hashed into `dims` buckets, scaled to unit length."""
    vector = [0.0] * dims
    for word in re.findall(r"\w+", text.lower()):
        vector[int(hashlib.md5(word.encode()).hexdigest()[:8], 16) % dims] += 1.0
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [v / norm for v in vector]


def _handler_for(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real providers do

        def do_GET(self) -> None:
            model = self.path.removeprefix("/v1/models/")
            if not self.path.startswith("/v1/models/"):
                self._send(404, {}, _error(f"no route {self.path}", "not_found"))
            elif refused := _refusal(fake, self.headers.get("authorization", ""), model):
                self._send(refused[0], {}, _error(refused[1], "invalid_request_error"))
            else:
                self._send(200, {}, {"id": model, "object": "model", "owned_by": "fake"})

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length)
            route = self.path.rstrip("/")
            if route not in ("/v1/chat/completions", "/v1/embeddings"):
                self._send(404, {}, _error(f"no route {self.path}", "not_found"))
                return
            try:
                body = json.loads(raw)
            except json.JSONDecodeError:
                self._send(400, {}, _error("body is not JSON", "invalid_request_error"))
                return
            refused = _refusal(fake, self.headers.get("authorization", ""), body.get("model"))
            if refused:
                self._send(refused[0], {}, _error(refused[1], "invalid_request_error"))
                return
            if route == "/v1/embeddings":
                with fake._lock:
                    fake.embedding_requests.append(body)
                self._send(*embeddings_answer(body))
                return
            self._send(*fake.respond(body))

        def _send(self, status: int, headers: dict[str, str], payload: dict[str, Any]) -> None:
            data = json.dumps(payload, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            return None

    return Handler
