import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// One page of a ListObjectsV2 response.
struct S3ListPage: Sendable {
    var keys: [String] = []
    var isTruncated = false
    var nextContinuationToken: String?

    /// Parses `<ListBucketResult>`; throws ``BackupError/Code/transfer`` on anything else.
    init(xml: Data) throws {
        let document = S3XMLDocument(xml)
        guard document.root == "ListBucketResult" else {
            throw BackupError(.transfer, "the S3 listing was not a ListBucketResult document")
        }
        for element in document.elements {
            switch element.path {
            case ["ListBucketResult", "Contents", "Key"]: keys.append(element.text)
            case ["ListBucketResult", "IsTruncated"]: isTruncated = element.text == "true"
            case ["ListBucketResult", "NextContinuationToken"]: nextContinuationToken = element.text
            default: break
            }
        }
    }
}

/// The `<Error><Code>` of an S3 error response.
struct S3ErrorBody: Sendable {
    var code: String

    /// `nil` when `xml` is not an S3 error document.
    init?(xml: Data) {
        guard !xml.isEmpty,
              let code = S3XMLDocument(xml).elements.first(where: { $0.path == ["Error", "Code"] })?.text
        else { return nil }
        self.code = code
    }
}

/// Every element of a small XML document with its path from the root and its text.
private struct S3XMLDocument {
    struct Element {
        var path: [String]
        var text: String
    }

    var root: String?
    var elements: [Element]

    init(_ data: Data) {
        let collector = Collector()
        let parser = XMLParser(data: data)
        parser.delegate = collector
        _ = parser.parse()
        root = collector.root
        elements = collector.elements
    }

    private final class Collector: NSObject, XMLParserDelegate {
        var root: String?
        var elements: [Element] = []
        private var stack: [String] = []
        private var texts: [String] = []

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            if root == nil { root = elementName }
            stack.append(elementName)
            texts.append("")
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if !texts.isEmpty { texts[texts.count - 1] += string }
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            guard let text = texts.popLast() else { return }
            elements.append(Element(path: stack, text: text))
            stack.removeLast()
        }
    }
}
