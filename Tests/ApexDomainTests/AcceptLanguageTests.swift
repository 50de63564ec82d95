import ApexDomain
import Testing

@Suite struct AcceptLanguageTests {
    @Test(arguments: [
        (nil, "en"),
        ("es", "es"),
        ("es-MX,es;q=0.9,en;q=0.8", "es"),
        ("en-US,en;q=0.9,es;q=0.8", "en"),
        ("fr-FR, es;q=0.4, en;q=0.3", "es"),
        ("en;q=0.2, es;q=0.7", "es"),
        ("es;q=0, en", "en"),
        ("de, fr", "en"),
        ("*", "en"),
        ("ES-419", "es"),
        (";;;,,q=", "en"),
        ("es;q=abc", "en"),
        ("es;q=2", "en"),
    ] as [(String?, String)])
    func choosesTheHighestRankedSupportedLocale(header: String?, expected: String) {
        #expect(AcceptLanguage.preferredLocale(header) == expected)
    }

    @Test func equalQualitiesKeepTheHeadersOrder() {
        #expect(AcceptLanguage.preferredLocale("es, en") == "es")
        #expect(AcceptLanguage.preferredLocale("en, es") == "en")
    }
}
