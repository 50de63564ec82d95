import ApexDomain
import ApexFiles
import ApexServer
import ApexStore
import ApexTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging

/// The clamd the test script started (`scripts/with-clamd.sh`). Without it the scanning tests
/// fail with a message that says how to run them: they never pass silently.
enum TestClamd {
    /// The EICAR anti-virus test string, which the script's signature database detects.
    static let eicar = #"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"#

    /// `unix:PATH` (or, with `tcp`, `tcp://127.0.0.1:PORT`) of the running clamd.
    static func address(tcp: Bool = false) throws -> String {
        let name = tcp ? "APEX_TEST_CLAMD_TCP" : "APEX_TEST_CLAMD"
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
            throw FixtureError(
                "\(name) is not set: run the scanning tests under scripts/with-clamd.sh, which starts clamd with a signature that detects EICAR (e.g. scripts/with-clamd.sh scripts/with-postgres.sh swift test --filter FileScanning)"
            )
        }
        return value
    }
}

/// A small, valid one-page PDF (correct cross-reference offsets) showing `text`.
enum TestPDF {
    static func make(_ text: String = "Pylon sign, sheet 1") -> String {
        let stream = "BT /F1 24 Tf 72 720 Td (\(text)) Tj ET"
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            "<< /Length \(stream.utf8.count) >>\nstream\n\(stream)\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
        var pdf = "%PDF-1.4\n"
        var offsets: [Int] = []
        for (i, object) in objects.enumerated() {
            offsets.append(pdf.utf8.count)
            pdf += "\(i + 1) 0 obj\n\(object)\nendobj\n"
        }
        let xref = pdf.utf8.count
        pdf += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets { pdf += String(format: "%010d 00000 n \n", offset) }
        pdf += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        return pdf
    }
}

extension World {
    /// The server's consumer called `name`, as ``ServerConsumers`` builds it for this world's configuration.
    func consumer(_ name: String) throws -> any LogConsumer {
        guard let consumer = ServerConsumers.consumers(store: store, configuration: configuration, logger: World.logger).first(where: { $0.name == name }) else {
            throw FixtureError("the server builds no consumer called \(name)")
        }
        return consumer
    }

    /// Runs the consumer `name` over everything appended so far.
    func catchUp(_ name: String) async throws {
        _ = try await ConsumerRunner(try consumer(name), store: store, logger: World.logger).catchUp()
    }

    /// The status of a file's revision `n` as the API shows it.
    func fileStatus(_ project: UUID, _ file: String, revision n: Int = 1, via client: any TestClientProtocol) async throws -> String? {
        let meta = try await client.call(.get, "/v1/projects/\(project.lowercased)/files/\(file)", as: token("owner"))
        return meta["revisions"]?.array?.first { $0["revision"]?.numberValue == Double(n) }?["status"]?.stringValue
    }
}
