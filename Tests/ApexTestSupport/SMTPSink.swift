import ApexChildProcess
import Foundation

/// An SMTP server on loopback, in Python (`aiosmtpd` from PyPI), that parses every message it
/// accepts with Python's `email` package (an implementation independent of ours).
///
/// Recipients behave by their local part: one containing `tempfail` is answered 451 at the end
/// of its first message's data, then 250; `reject` is answered 550; any other 250. With
/// ``Mode/startTLS`` the server offers STARTTLS with a self-signed certificate for 127.0.0.1
/// (``caFile``), requires it, and requires AUTH (user ``user``, password ``password``); with
/// ``Mode/plain`` it offers PIPELINING and no TLS. Every attempt is appended to `log.jsonl`
/// (``messages()``).
///
/// Not installed is a failure, never a skip: `python3 -m pip install --break-system-packages aiosmtpd`.
package struct SMTPSink: Sendable {
    package struct Unavailable: Error, CustomStringConvertible { package var description: String }

    /// How the server talks.
    package enum Mode: String, Sendable {
        case plain, startTLS = "starttls"
        /// Like ``plain``, but every message's data is logged (status 0) and the final `.` is
        /// never answered: a server that stalls mid-send.
        case stall
    }

    package static let user = "mailer"
    package static let password = "s3cret:p@ss"

    package let port: Int
    package let mode: Mode
    let folder: URL

    /// The self-signed certificate to trust (``Mode/startTLS``).
    package var caFile: String { folder.appendingPathComponent("cert.pem").path }

    /// The `APEX_SMTP_URL` for this server.
    package var url: String {
        switch mode {
        case .plain, .stall: "smtp://127.0.0.1:\(port)?starttls=off"
        case .startTLS:
            "smtp://\(Self.user):\(Self.password.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)@127.0.0.1:\(port)?starttls=required&ca_file=\(caFile)"
        }
    }

    /// Starts the server, runs `body`, stops it.
    package static func with<T: Sendable>(_ mode: Mode = .plain, _ body: (SMTPSink) async throws -> T) async throws -> T {
        let check = try await ChildProcess.run("/usr/bin/env", ["python3", "-c", "import aiosmtpd"])
        guard check.status == 0 else {
            throw Unavailable(description: "the aiosmtpd package is not installed for python3: python3 -m pip install --break-system-packages aiosmtpd")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("apex-smtp-sink-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        if mode == .startTLS {
            let made = try await ChildProcess.run("/usr/bin/env", [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", folder.appendingPathComponent("key.pem").path,
                "-out", folder.appendingPathComponent("cert.pem").path,
            ])
            guard made.status == 0 else { throw Unavailable(description: "openssl could not make a self-signed certificate") }
        }
        let port = try FreePort.find()
        return try await ChildProcess.withRunning("/usr/bin/env", ["python3", "-c", script, String(port), folder.path, mode.rawValue, user, password]) { _ in
            let ready = folder.appendingPathComponent("ready")
            let deadline = ContinuousClock.now + .seconds(20)
            while !FileManager.default.fileExists(atPath: ready.path) {
                guard ContinuousClock.now < deadline else { throw Unavailable(description: "the SMTP sink did not start on port \(port)") }
                try await Task.sleep(for: .milliseconds(50))
            }
            return try await body(SMTPSink(port: port, mode: mode, folder: folder))
        }.value
    }

    /// One attempt the server answered at the end of the data.
    package struct Message: Decodable, Sendable {
        /// 250, 451 or 550; 0 for data a stalling server (``Mode/stall``) never answered.
        package let status: Int
        package let mailFrom: String
        package let recipients: [String]
        /// Whether the session was under TLS, and the user it authenticated as.
        package let tls: Bool
        package let authUser: String?
        package let messageID: String?
        /// The subject as Python decodes it.
        package let subject: String?
        /// The content types of the parts, in order (`multipart/alternative`, `text/plain`, `text/html`).
        package let types: [String]
        /// The decoded text and HTML parts.
        package let text: String?
        package let html: String?
        /// Any defects Python's parser found.
        package let defects: [String]

        enum CodingKeys: String, CodingKey {
            case status, recipients, tls, subject, types, text, html, defects
            case mailFrom = "mail_from", authUser = "auth_user", messageID = "message_id"
        }
    }

    /// The attempts so far, in arrival order.
    package func messages() -> [Message] {
        guard let text = try? String(contentsOf: folder.appendingPathComponent("log.jsonl"), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(Message.self, from: Data($0.utf8)) }
    }

    /// Waits until `check` holds for the attempts (at most `timeout`), and returns them.
    package func wait(timeout: Duration = .seconds(20), until check: ([Message]) -> Bool) async throws -> [Message] {
        let deadline = ContinuousClock.now + timeout
        while !check(messages()), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        return messages()
    }

    private static let script = """
        import os, sys, json, ssl, threading, time, email, asyncio
        from email import policy
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult
        port, folder, mode, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
        def lifeline():
            sys.stdin.buffer.read()
            os._exit(0)
        threading.Thread(target=lifeline, daemon=True).start()
        lock, seen = threading.Lock(), {}
        class Handler:
            async def handle_EHLO(self, server, session, envelope, hostname, responses):
                session.host_name = hostname
                if mode in ("plain", "stall"):
                    responses.insert(len(responses) - 1, "250-PIPELINING")
                return responses
            async def handle_DATA(self, server, session, envelope):
                record = {"mail_from": envelope.mail_from, "recipients": envelope.rcpt_tos, "tls": session.ssl is not None,
                          "auth_user": getattr(session, "apex_user", None)}
                msg = email.message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
                record["message_id"] = msg["Message-ID"]
                record["subject"] = str(msg["Subject"]) if msg["Subject"] is not None else None
                record["types"] = [part.get_content_type() for part in msg.walk()]
                plain, html = msg.get_body(("plain",)), msg.get_body(("html",))
                record["text"] = plain.get_content() if plain is not None else None
                record["html"] = html.get_content() if html is not None else None
                record["defects"] = [str(d) for part in msg.walk() for d in part.defects]
                status, answer = 250, "250 2.0.0 OK queued as %s" % (msg["Message-ID"] or "?")
                if mode == "stall":
                    record["status"] = 0
                    with open(os.path.join(folder, "log.jsonl"), "a") as f:
                        f.write(json.dumps(record) + "\\n")
                    await asyncio.sleep(3600)
                with lock:
                    for rcpt in envelope.rcpt_tos:
                        local = rcpt.split("@")[0]
                        seen[(rcpt, record["message_id"])] = n = seen.get((rcpt, record["message_id"]), 0) + 1
                        if "reject" in local:
                            status, answer = 550, "550 5.1.1 no such mailbox"
                        elif "tempfail" in local and n == 1:
                            status, answer = 451, "451 4.3.0 try again later"
                    record["status"] = status
                    with open(os.path.join(folder, "log.jsonl"), "a") as f:
                        f.write(json.dumps(record) + "\\n")
                return answer
        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = auth_data.login.decode() == user and auth_data.password.decode() == password
            if ok: session.apex_user = auth_data.login.decode()
            return AuthResult(success=ok, handled=False)
        kwargs = {}
        if mode == "starttls":
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem"))
            kwargs = dict(tls_context=context, require_starttls=True, authenticator=authenticator, auth_required=True, auth_require_tls=True)
        controller = Controller(Handler(), hostname="127.0.0.1", port=port, **kwargs)
        controller.start()
        open(os.path.join(folder, "ready"), "w").close()
        while True:
            time.sleep(3600)
        """
}
