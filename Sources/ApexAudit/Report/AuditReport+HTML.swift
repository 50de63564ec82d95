import ApexDomain
import ApexStore
import Foundation

extension AuditReport {
    /// One self-contained HTML page: inline CSS (with print rules), no scripts, no external
    /// resources (a Content-Security-Policy forbids loading any), every recorded text escaped.
    package var html: String {
        let name = state.fields.name
        var out = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Audit report: \(Self.escape(name))</title>
            <style>\(Self.css)</style>
            </head>
            <body>
            <header>
            <h1>Audit report: \(Self.escape(name))</h1>

            """
        out += Self.definitions([
            ("Project", "<code>\(Self.escape(projectID.lowercased))</code> (stream <code>\(Self.escape(stream.rawValue))</code>)"),
            ("Account", Self.escape(accountName ?? "") + (state.accountID.map { " <code>\(Self.escape($0.lowercased))</code>" } ?? "")),
            ("Status", Self.escape(state.status.rawValue) + (state.deleted ? " (deleted)" : "") + ", version \(state.version)"),
            ("Generated", Self.escape(Timestamp.format(generatedAt)) + " by apex-cli, engine \(Self.escape(engineVersion))"),
            ("Store", "<code>\(Self.escape(storeDescription))</code>"),
        ])
        out += "</header>\n" + verificationSection + approvalsSection + calculationsSection + timelineSection
        out += "<footer><p>\(rows.count) events. Times are UTC, as recorded by the store. Personal data shows as recorded, or [erased].</p></footer>\n"
        out += "</body>\n</html>\n"
        return out
    }

    private var verificationSection: String {
        let v = verification
        var s = "<section>\n<h2>Store verification</h2>\n"
        if v.ok {
            s += "<p class=\"badge ok\">Verified: intact</p>\n"
        } else {
            s += "<p class=\"badge bad\">TAMPERED OR CORRUPT</p>\n"
            if let f = v.firstFailure { s += "<p>First failure: \(Self.escape(Self.describe(f)))</p>\n" }
        }
        s += "<p>Every hash chain, stream version, checkpoint digest and signature of the whole store was recomputed: "
        s += "\(v.eventsChecked) events in \(v.streamsChecked) streams, \(v.checkpointsChecked) checkpoints.</p>\n</section>\n"
        return s
    }

    private var approvalsSection: String {
        var s = "<section>\n<h2>Approvals</h2>\n"
        guard !approvals.isEmpty else { return s + "<p>No calculation has been approved.</p>\n</section>\n" }
        s += "<table>\n<thead><tr><th>When</th><th>Calculation</th><th>Revision</th><th>Approved by</th><th>PE license</th><th>Result hash</th><th>Reason</th></tr></thead>\n<tbody>\n"
        for a in approvals {
            let license = a.approval.peLicense
            let check = a.resultHashMatches ? "<span class=\"ok-text\">matches the result</span>" : "<span class=\"bad-text\">DOES NOT match the result</span>"
            s += "<tr><td>\(Self.escape(Timestamp.format(a.recordedAt)))</td>"
            s += "<td>\(Self.escape(a.calculationType))<br><code>\(Self.escape(a.approval.calculationID.lowercased))</code></td>"
            s += "<td>\(a.approval.revision)</td><td>\(Self.person(a.approverName, a.approval.approvedBy))</td>"
            s += "<td>No. \(Self.escape(license.number)), \(Self.escape(license.state)), expires \(Self.escape(license.expiresOn.description))</td>"
            s += "<td><code>\(Self.escape(a.approval.resultHash))</code><br>\(check)</td><td>\(Self.escape(a.reason ?? ""))</td></tr>\n"
        }
        return s + "</tbody>\n</table>\n</section>\n"
    }

    private var calculationsSection: String {
        var s = "<section>\n<h2>Calculations</h2>\n"
        guard !calculations.isEmpty else { return s + "<p>No calculations.</p>\n</section>\n" }
        for record in calculations {
            s += "<h3>\(Self.escape(record.latest.type.rawValue)) <code>\(Self.escape(record.id.lowercased))</code></h3>\n"
            s += "<table>\n<thead><tr><th>Revision</th><th>Inputs</th><th>Outputs</th><th>Engine</th><th>Result hash</th><th>Approved</th></tr></thead>\n<tbody>\n"
            for (index, result) in record.revisions.enumerated() {
                let valid = result.recomputedHash() == result.resultHash ? "" : "<br><span class=\"bad-text\">does not recompute</span>"
                let approved = record.approvals[index + 1] != nil ? "yes" : "no"
                s += "<tr><td>\(index + 1)</td><td>\(Self.values(result.inputs))</td><td>\(Self.values(result.outputs))</td>"
                s += "<td>\(Self.escape(result.engineVersion))</td><td><code>\(Self.escape(result.resultHash))</code>\(valid)</td><td>\(approved)</td></tr>\n"
            }
            s += "</tbody>\n</table>\n"
        }
        return s + "</section>\n"
    }

    private var timelineSection: String {
        var s = "<section>\n<h2>Timeline</h2>\n"
        for row in rows {
            let e = row.event
            let m = e.requestMetadata
            s += "<article class=\"event\">\n<h3>v\(e.version) &middot; \(Self.escape(e.type)) <span class=\"when\">\(Self.escape(Timestamp.format(e.recordedAt)))</span></h3>\n"
            var who = e.actor.userID.map { Self.person(row.actorName, $0) } ?? ""
            if let o = e.actor.onBehalfOf { who += " on behalf of " + Self.person(row.onBehalfOfName, o) }
            if let service = e.actor.service { who += (who.isEmpty ? "" : ", ") + "service " + Self.escape(service) }
            var from: [String] = []
            for (label, value) in [("ip", m.ipAddress?.display), ("user agent", m.userAgent?.display), ("x-forwarded-for", m.xForwardedFor?.display),
                                   ("peer", m.peerAddress?.display), ("request", m.requestID), ("trace", m.traceID)] {
                if let value { from.append("\(label) <code>\(Self.escape(value))</code>") }
            }
            s += Self.definitions([
                ("Who", who.isEmpty ? "unknown" : who), ("Where from", from.isEmpty ? "no request (embedded or CLI)" : from.joined(separator: "; ")),
                ("Why", e.reason.map(Self.escape) ?? "<span class=\"none\">no reason given</span>"),
                ("Event", "position \(e.position), id <code>\(Self.escape(e.id.lowercased))</code>, hash <code>\(Self.escape(e.hash))</code>"),
            ])
            s += Self.diffTable(row.entry.diff) + "</article>\n"
        }
        return s + "</section>\n"
    }

    private static func diffTable(_ diff: Diff) -> String {
        func cell(_ value: JSONValue?) -> String {
            guard let value else { return "<span class=\"none\">&mdash;</span>" }
            return value == .string("") ? "<span class=\"none\">(empty)</span>" : escape(text(value))
        }
        var lines: [(String, String, String)] = []
        for (path, change) in diff.changed { lines.append((path, cell(change.before), cell(change.after))) }
        for (path, value) in diff.added { lines.append((path, cell(nil), cell(value))) }
        for (path, value) in diff.removed { lines.append((path, cell(value), cell(nil))) }
        guard !lines.isEmpty else { return "<p class=\"none\">No change to the project's fields.</p>\n" }
        var s = "<table class=\"diff\">\n<thead><tr><th>Field</th><th>Before</th><th>After</th></tr></thead>\n<tbody>\n"
        for (path, before, after) in lines.sorted(by: { $0.0 < $1.0 }) {
            s += "<tr><td><code>\(escape(path))</code></td><td class=\"before\">\(before)</td><td class=\"after\">\(after)</td></tr>\n"
        }
        return s + "</tbody>\n</table>\n"
    }

    private static func definitions(_ items: [(String, String)]) -> String {
        "<dl class=\"meta\">\n" + items.map { "<dt>\(escape($0.0))</dt><dd>\($0.1)</dd>\n" }.joined() + "</dl>\n"
    }

    private static func values(_ object: [String: JSONValue]) -> String {
        object.keys.sorted().map { "<code>\(escape($0))</code> = \(escape(text(object[$0]!)))" }.joined(separator: "<br>")
    }

    private static func person(_ name: String?, _ id: UUID) -> String {
        (name.map { escape($0) + " " } ?? "") + "<code>\(escape(id.lowercased))</code>"
    }

    /// Text made safe for HTML content and attribute values.
    package static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in text.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    private static let css = """
        body{font:13px/1.45 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#111;background:#fff;max-width:1100px;margin:2rem auto;padding:0 1rem}
        h1{font-size:1.5rem;margin:0 0 .5rem}h2{font-size:1.15rem;border-bottom:2px solid #333;padding-bottom:.2rem;margin-top:2rem}
        h3{font-size:1rem;margin:.2rem 0}.when{font-weight:normal;color:#555;font-size:.9em}
        table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem}th,td{border:1px solid #bbb;padding:.3rem .45rem;text-align:left;vertical-align:top}
        th{background:#eee}code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em;word-break:break-all}
        dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.15rem .8rem;margin:.4rem 0}dt{font-weight:bold;color:#444}dd{margin:0}
        .badge{display:inline-block;padding:.3rem .7rem;border-radius:4px;font-weight:bold;font-size:1.05rem}
        .ok{background:#e3f4e3;color:#14521a;border:1px solid #14521a}.bad{background:#fde4e4;color:#8a1010;border:1px solid #8a1010}
        .ok-text{color:#14521a}.bad-text{color:#8a1010;font-weight:bold}.none{color:#666;font-style:italic}
        .event{border:1px solid #bbb;border-radius:4px;margin:.8rem 0;padding:.5rem .8rem}
        .before{color:#8a1010}.after{color:#14521a}footer{margin-top:2rem;color:#555;font-size:.9em}
        @media print{
        @page{margin:15mm}
        body{max-width:none;margin:0;padding:0;font-size:9.5pt}
        h2{break-after:avoid;page-break-after:avoid}
        .event,tr,.badge{break-inside:avoid;page-break-inside:avoid}
        thead{display:table-header-group}
        th,.ok,.bad{-webkit-print-color-adjust:exact;print-color-adjust:exact}
        }
        """
}
