import ApexChildProcess
import Foundation

/// A webhook receiver on loopback, in Python, that verifies every signature with the PyPI
/// `standardwebhooks` package (an implementation independent of ours).
///
/// Paths behave differently: `/ok` answers 200; `/flaky` 500 twice per `webhook-id`, then 200;
/// `/gone` 410; `/slow` sleeps 3 s on a message's first attempt, then answers 200 at once; any
/// path can be scripted instead (``setAnswers(_:for:)``: statuses, headers, delays).
/// The secrets to verify with are read from `secrets.json` in its folder (path → secrets, as
/// ``setSecrets(_:for:)`` writes them), and every request is appended to `log.jsonl`
/// (``requests(_:)``), with one `verified` flag per secret.
///
/// Not installed is a failure, never a skip: `python3 -m pip install --break-system-packages standardwebhooks`.
package struct WebhookReceiver: Sendable {
    package struct Unavailable: Error, CustomStringConvertible { package var description: String }

    package let port: Int
    let folder: URL

    /// `http://127.0.0.1:PORT/path`.
    package func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Starts the receiver (on `port`, or a free one), runs `body`, stops it.
    package static func with<T: Sendable>(port: Int? = nil, _ body: (WebhookReceiver) async throws -> T) async throws -> T {
        let check = try await ChildProcess.run("/usr/bin/env", ["python3", "-c", "import standardwebhooks"])
        guard check.status == 0 else {
            throw Unavailable(description: "the standardwebhooks package is not installed for python3: python3 -m pip install --break-system-packages standardwebhooks")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("apex-webhook-receiver-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let port = try port ?? FreePort.find()
        return try await ChildProcess.withRunning("/usr/bin/env", ["python3", "-c", script, String(port), folder.path]) { _ in
            let ready = folder.appendingPathComponent("ready")
            let deadline = ContinuousClock.now + .seconds(20)
            while !FileManager.default.fileExists(atPath: ready.path) {
                guard ContinuousClock.now < deadline else { throw Unavailable(description: "the webhook receiver did not start on port \(port)") }
                try await Task.sleep(for: .milliseconds(50))
            }
            return try await body(WebhookReceiver(port: port, folder: folder))
        }.value
    }

    /// The secrets `path` verifies with, in order (the flags of ``Request/verified``).
    package func setSecrets(_ secrets: [String], for path: String) throws {
        let file = folder.appendingPathComponent("secrets.json")
        var all = (try? JSONDecoder().decode([String: [String]].self, from: Data(contentsOf: file))) ?? [:]
        all[path] = secrets
        try JSONEncoder().encode(all).write(to: file, options: .atomic)
    }

    /// One request the receiver got.
    package struct Request: Decodable, Sendable {
        package let path: String
        package let id: String
        package let signature: String?
        package let verified: [Bool]
        package let status: Int
        package let body: String
        /// Whether another request with the same `webhook-id` was in flight when this one arrived.
        package let overlap: Bool
        /// When it arrived (unix seconds, the receiver's clock).
        package let at: Double
    }

    /// One scripted answer: ``setAnswers(_:for:)``.
    package struct Answer: Codable, Sendable {
        /// The status code.
        package var status: Int
        /// Headers to send; a value `DATE+N` becomes the HTTP-date N seconds after the request arrived.
        package var headers: [String: String]
        /// Seconds to wait before answering.
        package var delay: Double

        /// An answer of `status` with `headers`, after `delay` seconds.
        package init(_ status: Int, headers: [String: String] = [:], delay: Double = 0) {
            self.status = status
            self.headers = headers
            self.delay = delay
        }
    }

    /// Scripts `path`: its n-th request (counted over every message) gets `answers[n]`, the
    /// last one repeating. Overrides the built-in behaviour of the path.
    package func setAnswers(_ answers: [Answer], for path: String) throws {
        let file = folder.appendingPathComponent("answers.json")
        var all = (try? JSONDecoder().decode([String: [Answer]].self, from: Data(contentsOf: file))) ?? [:]
        all[path] = answers
        try JSONEncoder().encode(all).write(to: file, options: .atomic)
    }

    /// The requests to `path` so far, in arrival order.
    package func requests(_ path: String) -> [Request] {
        guard let text = try? String(contentsOf: folder.appendingPathComponent("log.jsonl"), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(Request.self, from: Data($0.utf8)) }.filter { $0.path == path }
    }

    /// Waits until `path` has had `count` requests (at most `timeout`), and returns them.
    package func waitFor(_ count: Int, at path: String, timeout: Duration = .seconds(20)) async throws -> [Request] {
        let deadline = ContinuousClock.now + timeout
        while requests(path).count < count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        return requests(path)
    }

    private static let script = """
        import os, sys, json, time, threading, email.utils
        from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
        from standardwebhooks.webhooks import Webhook
        port, folder = int(sys.argv[1]), sys.argv[2]
        def lifeline():
            sys.stdin.buffer.read()
            os._exit(0)
        threading.Thread(target=lifeline, daemon=True).start()
        counts, inflight, lock, scripted = {}, {}, threading.Lock(), {}
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args): pass
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    secrets = json.load(open(os.path.join(folder, "secrets.json"))).get(self.path, [])
                except Exception:
                    secrets = []
                verified = []
                for secret in secrets:
                    try:
                        Webhook(secret).verify(body, headers)
                        verified.append(True)
                    except Exception:
                        verified.append(False)
                wid = headers.get("webhook-id", "")
                arrived = time.time()
                with lock:
                    counts[(self.path, wid)] = n = counts.get((self.path, wid), 0) + 1
                    inflight[wid] = inflight.get(wid, 0) + 1
                    overlap = inflight[wid] > 1
                status, delay = 200, 0
                if self.path == "/flaky" and n <= 2: status = 500
                if self.path == "/gone": status = 410
                if self.path == "/slow" and n == 1: delay = 3
                if self.path == "/busy": delay = 0.05
                extra = {}
                try:
                    answers = json.load(open(os.path.join(folder, "answers.json"))).get(self.path)
                except Exception:
                    answers = None
                if answers:
                    with lock:
                        scripted[self.path] = k = scripted.get(self.path, 0) + 1
                    answer = answers[min(k, len(answers)) - 1]
                    status, delay = answer["status"], answer.get("delay", 0)
                    for name, value in answer.get("headers", {}).items():
                        if value.startswith("DATE+"):
                            value = email.utils.formatdate(arrived + float(value[5:]), usegmt=True)
                        extra[name] = value
                record = {"path": self.path, "id": wid, "signature": headers.get("webhook-signature"), "verified": verified,
                          "status": status, "body": body.decode(), "overlap": overlap, "at": arrived}
                with lock:
                    with open(os.path.join(folder, "log.jsonl"), "a") as f:
                        f.write(json.dumps(record) + "\\n")
                time.sleep(delay)
                with lock:
                    inflight[wid] -= 1
                try:
                    self.send_response(status)
                    for name, value in extra.items():
                        self.send_header(name, value)
                    self.send_header("content-length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except Exception:
                    pass
        server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        open(os.path.join(folder, "ready"), "w").close()
        server.serve_forever()
        """
}
