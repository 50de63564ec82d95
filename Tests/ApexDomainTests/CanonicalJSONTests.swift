import ApexDomain
import Foundation
import PropertyBased
import Testing

@Suite struct CanonicalJSONTests {
    // MARK: Keys and layout

    @Test func keysSortByUTF8BytesWithoutWhiteSpace() {
        let value: JSONValue = ["b": 1, "a": 2, "B": 3, "aa": 4, "é": 5, "_": 6, "A1": 7]
        #expect(CanonicalJSON.string(value) == #"{"A1":7,"B":3,"_":6,"a":2,"aa":4,"b":1,"é":5}"#)
    }

    /// U+FF71 (EF BD B1) sorts before U+1F600 (F0 9F 98 80) by UTF-8 bytes; UTF-16 code units would
    /// put the emoji (D83D DE00) first.
    @Test func keysSortByUTF8NotUTF16() {
        let value: JSONValue = ["😀": 1, "ｱ": 2, "z": 3]
        #expect(CanonicalJSON.string(value) == #"{"z":3,"ｱ":2,"😀":1}"#)
    }

    @Test func nestedObjectsSortAndArraysKeepTheirOrder() {
        let value: JSONValue = ["z": [3, 1, 2, ["y": true, "x": nil]], "a": ["d": "", "c": [:]]]
        #expect(CanonicalJSON.string(value) == #"{"a":{"c":{},"d":""},"z":[3,1,2,{"x":null,"y":true}]}"#)
    }

    @Test func scalars() {
        #expect(CanonicalJSON.string(nil) == "null")
        #expect(CanonicalJSON.string(true) == "true")
        #expect(CanonicalJSON.string(false) == "false")
        #expect(CanonicalJSON.string([]) == "[]")
        #expect(CanonicalJSON.string([:]) == "{}")
        #expect(CanonicalJSON.string("") == #""""#)
    }

    @Test func bytesAreTheUTF8OfTheString() {
        let value: JSONValue = ["name": "Café ☕", "n": 1]
        #expect(CanonicalJSON.bytes(value) == Array(#"{"n":1,"name":"Café ☕"}"#.utf8))
    }

    // MARK: Strings

    @Test func escapesOnlyWhatJSONRequires() {
        let value = JSONValue.string("q\" b\\ n\n r\r t\t nul\u{0} bs\u{8} ff\u{C} us\u{1F} del\u{7F} /é😀")
        #expect(
            CanonicalJSON.string(value)
                == #""q\" b\\ n\n r\r t\t nul\u0000 bs\u0008 ff\u000c us\u001f del"# + "\u{7F}" + #" /é😀""#)
    }

    /// Runs without escapes are copied whole; escapes at either end or back to back must not
    /// drop or repeat a byte.
    @Test(arguments: [
        ("\"", #""\"""#), ("\n\n", #""\n\n""#), ("\\a\u{1}", #""\\a\u0001""#), ("ab\"", #""ab\"""#),
        ("\tab", #""\tab""#), ("é\"😀\\", #""é\"😀\\""#),
    ])
    func escapesAtTheEdgesAndBackToBack(text: String, expected: String) throws {
        #expect(CanonicalJSON.string(.string(text)) == expected)
        #expect(try JSONValue.parse(expected) == .string(text))
    }

    @Test func keysAreEscapedLikeValues() {
        #expect(CanonicalJSON.string(["a\"b\n": 1]) == #"{"a\"b\n":1}"#)
    }

    // MARK: Numbers

    @Test(arguments: [
        (3.0, "3"), (-7.0, "-7"), (0.0, "0"), (-0.0, "0"), (1.5, "1.5"), (0.1, "0.1"), (-2.25, "-2.25"),
        (999_999_999_999_999.0, "999999999999999"), (1e15, "1000000000000000"), (-1e15, "-1000000000000000"),
        (9_007_199_254_740_992.0, "9007199254740992"), (9_007_199_254_740_994.0, "9.007199254740994e+15"), (1e16, "1e+16"),
        (1e21, "1e+21"), (123_456.789, "123456.789"), (1e-7, "1e-07"), (0.0001, "0.0001"),
        (Double.nan, "null"), (Double.infinity, "null"), (-Double.infinity, "null"),
    ])
    func numbers(_ n: Double, _ text: String) {
        #expect(CanonicalJSON.number(n) == text)
        #expect(CanonicalJSON.string(.number(n)) == text)
    }

    @Test func integralLiteralsPrintWithoutFraction() {
        #expect(CanonicalJSON.string(["F": 2000.0, "y": 15, "Fb": 30.5]) == #"{"F":2000,"Fb":30.5,"y":15}"#)
    }

    // MARK: Stability

    @Test func insertionOrderDoesNotMatter() {
        var one: [String: JSONValue] = [:]
        var two: [String: JSONValue] = [:]
        let keys = (0..<50).map { "key\($0)" }
        for key in keys { one[key] = .string(key) }
        for key in keys.reversed() { two[key] = .string(key) }
        #expect(CanonicalJSON.bytes(.object(one)) == CanonicalJSON.bytes(.object(two)))
    }

    @Test func randomValuesDecodeBackAndReencodeToTheSameBytes() async {
        await propertyCheck(count: 300, input: Gen<JSONValue>.jsonObject) { value in
            let bytes = CanonicalJSON.bytes(value)
            let decoded = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
            #expect(decoded == value)
            #expect(CanonicalJSON.bytes(decoded) == bytes)
            #expect(!bytes.contains(UInt8(ascii: "\n")))
        }
    }

    // MARK: Checking the form without decoding

    @Test func everyTextCanonicalJSONWritesIsCanonical() async {
        await propertyCheck(count: 500, input: Gen<JSONValue>.jsonObject) { value in
            #expect(CanonicalJSON.isCanonical(CanonicalJSON.string(value)))
        }
    }

    /// The check agrees with its definition — parse, write canonically, compare — on canonical
    /// texts with a byte or two changed, inserted or removed (most are then not canonical; some are).
    @Test func theCheckAgreesWithParsingAndRewritingOnMutatedTexts() async {
        let mutated = Generator<String, Shrink.None<String>> { rng in
            var bytes = CanonicalJSON.bytes(RandomJSON.object(&rng, depth: 3))
            let pieces: [UInt8] = Array(" ,:\"\\{}[]01-.eaun".utf8) + [0x01, 0x7F]
            for _ in 0..<Int.random(in: 1...2, using: &rng) {
                let at = Int.random(in: 0...bytes.count, using: &rng)
                let piece = pieces[Int.random(in: 0..<pieces.count, using: &rng)]
                switch Int.random(in: 0...2, using: &rng) {
                case 0 where at < bytes.count: bytes[at] = piece
                case 1: bytes.insert(piece, at: at)
                default: if at < bytes.count { bytes.remove(at: at) }
                }
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        await propertyCheck(count: 5000, input: mutated) { text in
            let rewritten = (try? JSONValue.parse(text)).map { CanonicalJSON.string($0) }
            #expect(CanonicalJSON.isCanonical(text) == (rewritten == text), "\(text)")
        }
    }

    @Test(arguments: [
        "1e+16", "-2.25", "9007199254740992", "9.007199254740994e+15", "1e-07", "0", "-7", "[]", "{}", #""""#, #""\u0000""#,
        "\"\\u001f\u{7F}\"", #"{"a":[1,{"b":null}],"b":true}"#,
    ])
    func canonicalTextsAreCanonical(text: String) throws {
        #expect(CanonicalJSON.isCanonical(text))
        #expect(CanonicalJSON.string(try JSONValue.parse(text)) == text)
    }

    @Test(arguments: [
        #"{"a": 1}"#, " 1", "1 ", #"{"b":1,"a":2}"#, #"{"a":1,"a":1}"#, #""\/""#, #""\u0041""#, #""\u001F""#, #""\b""#,
        #""\u000a""#, #""\u0009""#, "\"a\u{1}\"", "1.0", "01", "-0", "1e5", "1E+16", "+1", ".5", "0.10", "1e400", "1,2", "[1,]",
        #"{"a":1,}"#, "tru", "nul", "", #"{"a"}"#, "[1]]", #""abc"#, "[1][2]",
    ])
    func textsCanonicalJSONWouldNotWriteAreNot(text: String) {
        #expect(!CanonicalJSON.isCanonical(text))
        if let value = try? JSONValue.parse(text) { #expect(CanonicalJSON.string(value) != text) }
    }

    /// Keys sort by their own bytes, not their escaped form: `"` (0x22) sorts before `#`
    /// although its escape begins with `\` (0x5C).
    @Test func escapedKeysSortByTheirOwnBytes() {
        let text = CanonicalJSON.string(["a\"": 1, "a#": 2, "a\n": 3, "a\u{1}": 4, "a": 5])
        #expect(text == #"{"a":5,"a\u0001":4,"a\n":3,"a\"":1,"a#":2}"#)
        #expect(CanonicalJSON.isCanonical(text))
        #expect(!CanonicalJSON.isCanonical(#"{"a":5,"a\u0001":4,"a\n":3,"a#":2,"a\"":1}"#))
    }

    // MARK: Encodable bridge

    private struct Sample: Codable, Equatable {
        var zeta: Int
        var alpha: String
        var when: Date
        var day: CivilDate
        var missing: String?
    }

    @Test func valueOfEncodableUsesTimestampsAndDropsNil() throws {
        let sample = Sample(
            zeta: 2, alpha: "x", when: DomainFixtures.date("2026-01-27T10:00:00.5Z"),
            day: CivilDate(year: 2027, month: 6, day: 30), missing: nil)
        let value = try CanonicalJSON.value(of: sample)
        #expect(value == ["zeta": 2, "alpha": "x", "when": "2026-01-27T10:00:00.500000Z", "day": "2027-06-30"])
        #expect(
            CanonicalJSON.string(value) == #"{"alpha":"x","day":"2027-06-30","when":"2026-01-27T10:00:00.500000Z","zeta":2}"#)
        #expect(try CanonicalJSON.decode(Sample.self, from: value) == sample)
    }

    @Test func decodeReportsTypeMismatch() {
        #expect(throws: DecodingError.self) {
            try CanonicalJSON.decode(Sample.self, from: ["zeta": "two", "alpha": "x", "when": "2026-01-27", "day": "2027-06-30"])
        }
    }

    @Test func domainEncoderSortsKeysAndKeepsSlashes() throws {
        let data = try DomainCoder.encoder.encode(["b": "a/b", "a": "c"])
        #expect(String(decoding: data, as: UTF8.self) == #"{"a":"c","b":"a/b"}"#)
    }
}

@Suite struct TimestampTests {
    @Test func formatsSixFractionDigitsAndZ() {
        #expect(Timestamp.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000000Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1_769_508_000)) == "2026-01-27T10:00:00.000000Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1_769_508_000.25)) == "2026-01-27T10:00:00.250000Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: -0.000001)) == "1969-12-31T23:59:59.999999Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: -86_400 * 25_567)) == "1900-01-01T00:00:00.000000Z")
        #expect(Timestamp.format(Timestamp.parse("2024-02-29T23:59:59.999999Z")!) == "2024-02-29T23:59:59.999999Z")
    }

    @Test func microsecondsSinceEpoch() throws {
        let date = try #require(Timestamp.parse("2026-01-27T10:00:00.123456Z"))
        #expect(Timestamp.microseconds(date) == 1_769_508_000_123_456)
        #expect(Timestamp.format(Timestamp.date(microseconds: 1_769_508_000_123_456)) == "2026-01-27T10:00:00.123456Z")
        #expect(Timestamp.microseconds(Timestamp.date(microseconds: -1)) == -1)
    }

    @Test(arguments: [
        ("2026-01-27T10:00:00Z", "2026-01-27T10:00:00.000000Z"),
        ("2026-01-27T10:00:00.123456Z", "2026-01-27T10:00:00.123456Z"),
        ("2026-01-27T10:00:00.5Z", "2026-01-27T10:00:00.500000Z"),
        ("2026-01-27T10:00:00.000001Z", "2026-01-27T10:00:00.000001Z"),
        ("2026-01-27T10:00:00.1234569Z", "2026-01-27T10:00:00.123456Z"),
        ("2026-01-27T12:00:00+02:00", "2026-01-27T10:00:00.000000Z"),
        ("2026-01-27T04:30:00.75-05:30", "2026-01-27T10:00:00.750000Z"),
        ("2026-01-01T01:00:00+02:00", "2025-12-31T23:00:00.000000Z"),
        ("2026-01-27t10:00:00z", "2026-01-27T10:00:00.000000Z"),
        ("2026-01-27", "2026-01-27T00:00:00.000000Z"),
        ("2024-02-29", "2024-02-29T00:00:00.000000Z"),
        ("1969-07-20T20:17:40Z", "1969-07-20T20:17:40.000000Z"),
    ])
    func parsesAndFormatsCanonically(_ text: String, _ canonical: String) throws {
        let date = try #require(Timestamp.parse(text))
        #expect(Timestamp.format(date) == canonical)
        #expect(Timestamp.parse(canonical) == date)
    }

    @Test(arguments: [
        "", "2026", "2026-1-27", "2026/01/27", "2026-13-01", "2026-00-10", "2026-01-00", "2026-01-32",
        "2026-02-30", "2025-02-29", "2026-04-31", "2026-01-27T", "2026-01-27T10:00:00", "2026-01-27T10:00Z",
        "2026-01-27T24:00:00Z", "2026-01-27T10:60:00Z", "2026-01-27T10:00:61Z", "2026-01-27T10:00:00.Z",
        "2026-01-27T10:00:00+0200", "2026-01-27T10:00:00+02", "2026-01-27T10:00:00+24:00",
        "2026-01-27T10:00:00+02:60", "2026-01-27T10:00:00ZZ", "2026-01-27T10:00:00Z ", " 2026-01-27T10:00:00Z",
        "2026-01-27 10:00:00Z", "2026-01-27X10:00:00Z", "20260127T100000Z", "２０２６-01-27", "2026-01-27T1a:00:00Z",
    ])
    func rejectsMalformedText(_ text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    /// Double cannot hold every microsecond exactly; the text must still come back digit for digit.
    @Test(arguments: [
        (Int64(2_197_050_148_502_381), "2039-08-15T19:42:28.502381Z"),
        (Int64(274_972_002_997_659), "1978-09-18T13:06:42.997659Z"),
        (Int64(-2_208_988_800_000_001), "1899-12-31T23:59:59.999999Z"),
    ])
    func microsecondsSurviveTheDoubleInDate(_ micros: Int64, _ text: String) throws {
        let date = Timestamp.date(microseconds: micros)
        #expect(Timestamp.microseconds(date) == micros)
        #expect(Timestamp.format(date) == text)
        #expect(Timestamp.microseconds(try #require(Timestamp.parse(text))) == micros)
    }

    @Test func everyMicrosecondFrom1900To2100RoundTrips() async {
        // 1900-01-01 to 2100-01-01 in microseconds.
        await propertyCheck(count: 2000, input: Gen<Int64>.int64(in: -2_208_988_800_000_000...4_102_444_800_000_000)) { micros in
            let date = Timestamp.date(microseconds: micros)
            #expect(Timestamp.microseconds(date) == micros)
            let text = Timestamp.format(date)
            #expect(text.utf8.count == 27)
            let parsed = Timestamp.parse(text)
            #expect(parsed.map(Timestamp.microseconds) == micros)
            #expect(parsed.map(Timestamp.format) == text)
        }
    }

    @Test func truncatedIsIdempotentAndDropsSubMicroseconds() {
        let date = Date(timeIntervalSince1970: 1_769_508_000.123_456_25)
        let once = Timestamp.truncated(date)
        #expect(Timestamp.truncated(once) == once)
        #expect(Timestamp.format(once) == "2026-01-27T10:00:00.123456Z")
        #expect(Timestamp.format(date) == Timestamp.format(once))
    }

    @Test func domainCoderRoundTripsDates() throws {
        let date = DomainFixtures.date("2026-01-27T10:00:00.654321Z")
        let data = try DomainCoder.encoder.encode(["at": date])
        #expect(String(decoding: data, as: UTF8.self) == #"{"at":"2026-01-27T10:00:00.654321Z"}"#)
        #expect(try DomainCoder.decoder.decode([String: Date].self, from: data) == ["at": date])
        #expect(throws: DecodingError.self) {
            try DomainCoder.decoder.decode([String: Date].self, from: Data(#"{"at":"yesterday"}"#.utf8))
        }
    }
}

@Suite struct CivilDateTests {
    @Test func describesAsYearMonthDay() {
        #expect(CivilDate(year: 2027, month: 6, day: 30).description == "2027-06-30")
        #expect(CivilDate(year: 1970, month: 1, day: 1).daysSinceEpoch == 0)
        #expect(CivilDate(year: 2026, month: 1, day: 27).daysSinceEpoch == 20_480)
        #expect(CivilDate(year: 1900, month: 1, day: 1).daysSinceEpoch == -25_567)
        #expect(CivilDate(year: 1900, month: 1, day: 1).description == "1900-01-01")
        #expect(CivilDate(year: 2024, month: 2, day: 29).description == "2024-02-29")
    }

    @Test func parsesOnlyPlainDays() {
        #expect(CivilDate("2027-06-30") == CivilDate(year: 2027, month: 6, day: 30))
        #expect(CivilDate("2027-6-30") == nil)
        #expect(CivilDate("2027-06-30T00:00:00Z") == nil)
        #expect(CivilDate("2027-06-31") == nil)
        #expect(CivilDate("2027-02-29") == nil)
        #expect(CivilDate("") == nil)
        #expect(CivilDate("June 30") == nil)
    }

    @Test func containingTakesTheUTCDay() {
        #expect(CivilDate(containing: DomainFixtures.date("2026-01-27T00:00:00Z")).description == "2026-01-27")
        #expect(CivilDate(containing: DomainFixtures.date("2026-01-27T23:59:59.999999Z")).description == "2026-01-27")
        #expect(CivilDate(containing: DomainFixtures.date("2026-01-28T01:00:00+02:00")).description == "2026-01-27")
        #expect(CivilDate(containing: DomainFixtures.date("1969-12-31T12:00:00Z")).description == "1969-12-31")
        #expect(CivilDate(containing: Date(timeIntervalSince1970: -86_400)).description == "1969-12-31")
    }

    @Test func ordersByTime() {
        let days = ["2027-01-01", "2026-12-31", "1969-12-31", "2026-01-27"].compactMap(CivilDate.init)
        #expect(days.sorted().map(\.description) == ["1969-12-31", "2026-01-27", "2026-12-31", "2027-01-01"])
        #expect(CivilDate(year: 2026, month: 1, day: 27) < CivilDate(year: 2026, month: 1, day: 28))
    }

    @Test func codesAsPlainText() throws {
        let data = try DomainCoder.encoder.encode([CivilDate(year: 2027, month: 6, day: 30)])
        #expect(String(decoding: data, as: UTF8.self) == #"["2027-06-30"]"#)
        #expect(try DomainCoder.decoder.decode([CivilDate].self, from: data) == [CivilDate(year: 2027, month: 6, day: 30)])
        #expect(throws: DecodingError.self) {
            try DomainCoder.decoder.decode([CivilDate].self, from: Data(#"["2027-06-30T00:00:00Z"]"#.utf8))
        }
    }
}
