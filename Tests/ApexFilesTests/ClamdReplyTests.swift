import ApexFiles
import Testing

/// clamd's replies and addresses, parsed without a daemon.
@Suite struct ClamdReplyTests {
    @Test func verdicts() {
        #expect(ClamdVerdict(reply: "stream: OK") == .clean)
        #expect(ClamdVerdict(reply: "stream: Test.EICAR.NDB.UNOFFICIAL FOUND\n") == .infected(signature: "Test.EICAR.NDB.UNOFFICIAL"))
        #expect(ClamdVerdict(reply: "INSTREAM size limit exceeded. ERROR") == .error("INSTREAM size limit exceeded."))
        #expect(ClamdVerdict(reply: "stream:  FOUND") == .error("stream:  FOUND"))
        #expect(ClamdVerdict(reply: "") == .error(""))
        #expect(ClamdVerdict(reply: "PONG") == .error("PONG"))
    }

    @Test func versions() {
        let full = ClamdVersion(reply: "ClamAV 1.4.6/27400/Mon Dec  1 09:30:00 2026")
        #expect(full.engine == "ClamAV 1.4.6")
        #expect(full.database == "27400")
        #expect(full.recorded == "ClamAV 1.4.6/27400")
        #expect(ClamdVersion(reply: "ClamAV 1.4.6").recorded == "ClamAV 1.4.6")
    }

    @Test func addresses() throws {
        #expect(try ClamdAddress("tcp://127.0.0.1:3310") == .tcp(host: "127.0.0.1", port: 3310))
        #expect(try ClamdAddress("tcp://[::1]:3310") == .tcp(host: "::1", port: 3310))
        #expect(try ClamdAddress("unix:/run/clamav/clamd.ctl") == .unix(path: "/run/clamav/clamd.ctl"))
        #expect(try ClamdAddress("unix:///run/clamd.sock") == .unix(path: "/run/clamd.sock"))
        #expect(try ClamdAddress("tcp://[::1]:3310").description == "tcp://[::1]:3310")
        for bad in ["", "clamd:3310", "tcp://host", "tcp://:3310", "tcp://h:0", "tcp://h:70000", "unix:relative.sock", "unix:"] {
            #expect(throws: FilesError.self, "\(bad)") { try ClamdAddress(bad) }
        }
    }
}
