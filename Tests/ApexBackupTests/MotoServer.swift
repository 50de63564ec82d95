import ApexChildProcess
import ApexTestSupport
import Foundation

/// A local S3-compatible server for the tests: `python3 -m moto.server` on 127.0.0.1 and a free port,
/// with signature checking on. An IAM user with an `s3:*` policy is created first; its access key is
/// what the tests sign with, and moto recomputes every signature with botocore and rejects mismatches.
///
/// Not installed is a failure, never a skip: `pip install 'moto[server]'`.
struct MotoServer: Sendable {
    struct Unavailable: Error, CustomStringConvertible {
        var description: String
    }

    let endpoint: String
    let accessKeyID: String
    let secretAccessKey: String

    /// Starts moto, provisions a user, runs `body` with the server, and stops it; throws
    /// ``Unavailable`` saying what to install when it cannot start.
    static func with<T: Sendable>(_ body: (MotoServer) async throws -> T) async throws -> T {
        guard (try? await python(["-c", "import moto.server, flask, boto3"])) != nil else {
            throw Unavailable(description: "moto is not installed for python3: pip install 'moto[server]'")
        }
        let port = try await python(["-c", "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"])
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("apex-moto-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let endpoint = "http://127.0.0.1:\(port)"
        return try await ChildProcess.withRunning("/usr/bin/env", ["python3", "-c", serve, port, log.path]) { _ in
            let server: MotoServer
            do {
                let keys = try await python(["-c", provision, endpoint]).split(separator: " ").map(String.init)
                guard keys.count == 2 else { throw Unavailable(description: "moto gave no access key") }
                server = MotoServer(endpoint: endpoint, accessKeyID: keys[0], secretAccessKey: keys[1])
            } catch {
                let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                throw Unavailable(description: "moto did not start at \(endpoint): \(error)\n\(output.suffix(2000))")
            }
            return try await body(server)
        }.value
    }

    /// Stops checking signatures. moto (5.x) verifies a signature by re-encoding the decoded path
    /// with botocore, which fails for keys with bytes such as `+ = & é` even for botocore's own
    /// requests; keys like those are round-tripped with checks off.
    func disableSignatureChecks() async throws {
        try await Self.python(["-c", """
            import sys, urllib.request
            urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/moto-api/reset-auth", data=b"1e12",
                                   method="POST", headers={"Content-Type": "text/plain"}))
            """, endpoint])
    }

    /// `python3 -m moto.server -H 127.0.0.1 -p PORT`, its output appended to the log file LOG
    /// (arguments: PORT LOG), and exiting when its stdin closes, which happens when the test ends
    /// and when the test process ends for any reason, so no server outlives a crashed run.
    private static let serve = """
        import os, sys, threading, runpy
        log = os.open(sys.argv[2], os.O_WRONLY | os.O_APPEND)
        os.dup2(log, 1)
        os.dup2(log, 2)
        def lifeline():
            sys.stdin.buffer.read()
            os._exit(0)
        threading.Thread(target=lifeline, daemon=True).start()
        sys.argv = ["moto.server", "-H", "127.0.0.1", "-p", sys.argv[1]]
        runpy.run_module("moto.server", run_name="__main__")
        """

    /// Waits for the port, creates user `apex` with `s3:*` and an access key, then turns on
    /// authentication for every later request (`/moto-api/reset-auth` with 0 free actions).
    private static let provision = """
        import sys, time, json, socket, urllib.request
        import boto3
        endpoint = sys.argv[1]
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", int(endpoint.rsplit(":", 1)[1])), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                           aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
        iam.create_user(UserName="apex")
        iam.put_user_policy(UserName="apex", PolicyName="s3", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
        key = iam.create_access_key(UserName="apex")["AccessKey"]
        urllib.request.urlopen(urllib.request.Request(endpoint + "/moto-api/reset-auth", data=b"0", method="POST", headers={"Content-Type": "text/plain"}))
        print(key["AccessKeyId"], key["SecretAccessKey"])
        """

    /// Runs `python3 args…` and returns its trimmed stdout; throws when it exits non-zero.
    @discardableResult
    private static func python(_ arguments: [String]) async throws -> String {
        let outcome = try await ChildProcess.run("/usr/bin/env", ["python3"] + arguments)
        guard outcome.status == 0 else {
            throw Unavailable(description: "python3 exited \(outcome.status): \(outcome.errors.suffix(2000))")
        }
        return outcome.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
