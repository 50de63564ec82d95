import ApexMail
import Foundation
import Testing

/// When digests are due and how mail writes numbers and dates: pure, no I/O.
@Suite("Digest periods and mail formats")
struct DigestPeriodTests {
    static func utc(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }
    static let mexico = TimeZone(identifier: "America/Mexico_City")!

    @Test func dailyIsDueAtSevenInTheUsersTimeZone() throws {
        // 06:00 in Mexico City (UTC-6): the last 07:00 there was yesterday's.
        #expect(DigestPeriod.lastDue("daily", before: Self.utc("2026-12-05T12:00:00Z"), in: Self.mexico) == Self.utc("2026-12-04T13:00:00Z"))
        #expect(DigestPeriod.lastDue("daily", before: Self.utc("2026-12-05T13:00:00Z"), in: Self.mexico) == Self.utc("2026-12-05T13:00:00Z"))
        #expect(DigestPeriod.lastDue("off", before: Self.utc("2026-12-05T13:00:00Z"), in: Self.mexico) == nil)
    }

    @Test func weeklyIsDueOnMondays() throws {
        // Saturday 5 December 2026: the last Monday 07:00 UTC was 30 November.
        #expect(DigestPeriod.lastDue("weekly", before: Self.utc("2026-12-05T10:00:00Z"), in: .gmt) == Self.utc("2026-11-30T07:00:00Z"))
        #expect(DigestPeriod.lastDue("weekly", before: Self.utc("2026-11-30T06:59:00Z"), in: .gmt) == Self.utc("2026-11-23T07:00:00Z"))
    }

    @Test func aCoveredPeriodIsNotDueAgainAndItsKeyIsStable() throws {
        let now = Self.utc("2026-12-05T10:00:00Z"), user = UUID()
        let period = try #require(DigestPeriod.due("daily", timeZone: .gmt, covered: nil, now: now, endingNow: false))
        #expect(period.start == Self.utc("2026-12-04T07:00:00Z") && period.end == Self.utc("2026-12-05T07:00:00Z"))
        #expect(DigestPeriod.due("daily", timeZone: .gmt, covered: period.end, now: now, endingNow: false) == nil)
        let again = try #require(DigestPeriod.due("daily", timeZone: .gmt, covered: nil, now: now.addingTimeInterval(60), endingNow: false))
        #expect(again.key(user: user) == period.key(user: user))
        let byHand = try #require(DigestPeriod.due("daily", timeZone: .gmt, covered: period.end, now: now, endingNow: true))
        #expect(byHand.start == period.end && byHand.end == now && byHand.key(user: user) != period.key(user: user))
    }

    @Test func datesAndNumbersFollowTheLocale() {
        let date = Self.utc("2026-12-03T12:00:00Z")
        #expect(MailFormat.date(date, locale: "es", timeZone: .gmt) == "3 de diciembre de 2026")
        #expect(MailFormat.date(date, locale: "en", timeZone: .gmt) == "December 3, 2026")
        // Late on the 3rd in UTC is the 3rd in Mexico City, early on the 4th in Tokyo.
        #expect(MailFormat.date(Self.utc("2026-12-03T20:00:00Z"), locale: "es", timeZone: TimeZone(identifier: "Asia/Tokyo")!) == "4 de diciembre de 2026")
        #expect(MailFormat.number(2.5, locale: "es") == "2,5" && MailFormat.number(2.5, locale: "en") == "2.5")
        #expect(MailFormat.number(12_345.25, locale: "es") == "12.345,25" && MailFormat.number(12_345.25, locale: "en") == "12,345.25")
    }

    @Test func dateTimesFollowTheLocaleAndTheZone() throws {
        let date = Self.utc("2026-12-03T20:05:00Z")
        let en = MailFormat.dateTime(date, locale: "en", timeZone: .gmt)
        #expect(en.hasPrefix("December 3, 2026") && en.contains("8:05") && en.contains("PM") && en.hasSuffix(" GMT"), "\(en)")
        let es = MailFormat.dateTime(date, locale: "es", timeZone: .gmt)
        #expect(es.hasPrefix("3 de diciembre de 2026") && es.contains("20:05") && es.hasSuffix(" GMT"), "\(es)")
        let mexico = try #require(TimeZone(identifier: "America/Mexico_City"))
        let there = MailFormat.dateTime(date, locale: "es", timeZone: mexico)
        #expect(there.contains("14:05") && there.hasSuffix(" " + (mexico.abbreviation(for: date) ?? "?")), "\(there)")
    }
}
