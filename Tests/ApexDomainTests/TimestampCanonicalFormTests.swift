import ApexDomain
import Foundation
import Testing

@Suite("Timestamps: the canonical form")
struct TimestampCanonicalFormTests {
    /// What `format` writes is canonical and parses back to itself, for times from 1970 to
    /// 2100. (Far from 2001 a `Date`, a `Double` of seconds, no longer holds every microsecond:
    /// around 1831 one in a few thousand times moves by one. Recorded times are clock readings.)
    @Test func formattedTimesAreCanonicalAndRoundTrip() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let micros = Int64.random(in: 0...4_102_444_800_000_000, using: &rng)
            let text = Timestamp.format(Timestamp.date(microseconds: micros))
            #expect(Timestamp.isCanonical(text), "\(text)")
            #expect(Timestamp.parse(text).map(Timestamp.format) == text)
        }
    }

    @Test(arguments: [
        "2026-11-28T01:02:03.123456Z", "2024-02-29T23:59:59.999999Z", "0001-01-01T00:00:00.000000Z",
    ])
    func canonicalTimes(text: String) {
        #expect(Timestamp.isCanonical(text))
        #expect(Timestamp.parse(text).map(Timestamp.format) == text)
    }

    @Test(arguments: [
        "2026-11-28T01:02:03Z", "2026-11-28T01:02:03.123Z", "2026-11-28t01:02:03.123456Z", "2026-11-28T01:02:03.123456z",
        "2026-11-28T01:02:03.123456+00:00", "2026-02-30T01:02:03.123456Z", "2025-02-29T01:02:03.123456Z",
        "2026-11-28T24:00:00.000000Z", "2026-11-28T23:59:60.000000Z", "2026-13-01T00:00:00.000000Z", "2026-11-28", "",
        "2026-11-28T01:02:03.12345xZ",
    ])
    func otherFormsAreNot(text: String) {
        #expect(!Timestamp.isCanonical(text))
        if let date = Timestamp.parse(text) { #expect(Timestamp.format(date) != text) }
    }
}
