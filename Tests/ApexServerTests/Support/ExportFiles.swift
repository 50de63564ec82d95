import ApexChildProcess
import ApexTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore

/// An export's answer with its exact bytes (a workbook is not text).
struct Download: Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let bytes: Data
}

extension TestClientProtocol {
    /// GET `uri` as `token`, keeping the body's bytes.
    func download(_ uri: String, as token: String) async throws -> Download {
        let response = try await executeRequest(uri: uri, method: .get, headers: [.authorization: "Bearer \(token)"], body: nil)
        return Download(status: response.status, headers: response.headers, bytes: Data(response.body.readableBytesView))
    }
}

/// Reads a downloaded file with Python (`csv`, and `openpyxl` from PyPI for workbooks): the
/// reader a spreadsheet user's tools would be, not ours. Fails, saying what to install, when
/// Python or openpyxl is missing.
enum PythonReader {
    /// Runs `script` with the file's path as `sys.argv[1]` and decodes the JSON it prints.
    static func read(_ bytes: Data, suffix: String, script: String) async throws -> Any {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("apex-export-test-\(UUID().uuidString).\(suffix)")
        try bytes.write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        let outcome = try await ChildProcess.run("/usr/bin/env", ["python3", "-c", script, path.path], outputLimit: 8 << 20)
        if outcome.errors.contains("No module named 'openpyxl'") {
            throw FixtureError("openpyxl is not installed for python3: pip install openpyxl==3.1.5")
        }
        guard outcome.status == 0 else { throw FixtureError("python3 could not read the export: \(outcome)") }
        return try JSONSerialization.jsonObject(with: Data(outcome.output.utf8))
    }

    /// The CSV's records as Python's `csv` reads them.
    static func csv(_ bytes: Data) async throws -> [[String]] {
        let script = """
            import csv, json, sys
            with open(sys.argv[1], newline='', encoding='utf-8') as f:
                print(json.dumps(list(csv.reader(f))))
            """
        return try await read(bytes, suffix: "csv", script: script) as? [[String]] ?? []
    }

    /// Each sheet of a workbook as openpyxl reads it: `{sheet: [[{"t": type, "v": text}]]}`,
    /// `t` one of `int`, `float`, `datetime`, `str`, `NoneType`.
    static func workbook(_ bytes: Data) async throws -> (names: [String], sheets: [String: [[Cell]]]) {
        let script = """
            import json, sys, openpyxl
            wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
            out = {"names": wb.sheetnames, "sheets": {}}
            for ws in wb.worksheets:
                out["sheets"][ws.title] = [[{"t": type(c).__name__, "v": "" if c is None else str(c)} for c in row] for row in ws.iter_rows(values_only=True)]
            print(json.dumps(out))
            """
        let object = try await read(bytes, suffix: "xlsx", script: script) as? [String: Any] ?? [:]
        let names = object["names"] as? [String] ?? []
        var sheets: [String: [[Cell]]] = [:]
        for (name, rows) in object["sheets"] as? [String: [[[String: String]]]] ?? [:] {
            sheets[name] = rows.map { $0.map { Cell(type: $0["t"] ?? "", value: $0["v"] ?? "") } }
        }
        return (names, sheets)
    }

    /// A cell as openpyxl typed it.
    struct Cell: Sendable, Equatable {
        var type: String
        var value: String
    }
}
