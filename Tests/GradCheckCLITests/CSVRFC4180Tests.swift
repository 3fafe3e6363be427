import Foundation
import GradCheck
import Testing

/// CSV is read as RFC 4180 says, one test per rule: the CSVs spreadsheets and Windows
/// tools write are read, and malformed ones are errors naming the line.
@Suite struct CSVRFC4180Tests {
    static let expected = CSVTable(columns: ["a", "b", "label"], rows: [[1, 2, 0], [3.5, -4, 1]])

    func parse(_ text: String) throws -> CSVTable { try CSVTable.parse(text, file: "t.csv") }

    @Test func lineFeeds() throws { #expect(try parse("a,b,label\n1,2,0\n3.5,-4,1\n") == Self.expected) }
    @Test func crlf() throws { #expect(try parse("a,b,label\r\n1,2,0\r\n3.5,-4,1\r\n") == Self.expected) }
    @Test func carriageReturns() throws { #expect(try parse("a,b,label\r1,2,0\r3.5,-4,1\r") == Self.expected) }
    @Test func mixedLineEndings() throws { #expect(try parse("a,b,label\r\n1,2,0\n3.5,-4,1\r") == Self.expected) }
    @Test func noFinalLineBreak() throws { #expect(try parse("a,b,label\r\n1,2,0\r\n3.5,-4,1") == Self.expected) }
    @Test func blankLinesAtTheEnd() throws { #expect(try parse("a,b,label\n1,2,0\n3.5,-4,1\n\r\n\n") == Self.expected) }
    @Test func byteOrderMark() throws { #expect(try parse("\u{FEFF}a,b,label\n1,2,0\n3.5,-4,1\n") == Self.expected) }

    @Test func quotedFields() throws {
        #expect(try parse("\"a\",\"b\",\"label\"\n\"1\",2,\"0\"\n3.5,\" -4 \",1\n") == Self.expected)
    }

    @Test func quotedCommaNewlineAndEscapedQuoteInAHeader() throws {
        let t = try parse("\"a, first\",\"b\r\nsecond\",\"say \"\"label\"\"\"\r\n1,2,0\r\n3.5,-4,1\r\n")
        #expect(t.columns == ["a, first", "b\r\nsecond", "say \"label\""])
        #expect(t.rows == Self.expected.rows)
        // The rows start on lines 3 and 4: the header spans two.
        #expect(t.rowLines == [3, 4])
    }

    @Test func aFileWithCRLFLoads() throws {
        let path = try CLI.write("a,b,c,d,label\r\n1,2,3,4,0\r\n2,3,4,5,1\r\n3,1,2,2,2\r\n", name: "crlf.csv")
        let table = try CSVTable.load(path: path)
        #expect(table.columns == ["a", "b", "c", "d", "label"])
        #expect(table.rows.count == 3)
        let result = CLI.run("check", CLI.spec("iris-mlp"), "--data", path, "--mode", "fast")
        #expect(result.status == 0, "\(result.transcript)")
    }

    @Test func anUnclosedQuoteIsAnError() {
        #expect { try parse("a,b,label\n1,\"2,0\n") } throws: { e in
            "\(e)".contains("t.csv") && "\(e)".contains("line 2") && "\(e)".contains("not closed")
        }
    }

    @Test func aQuoteInsideAnUnquotedFieldIsAnError() {
        #expect { try parse("a,b,label\n1,2\"x,0\n") } throws: { e in "\(e)".contains("line 2") && "\(e)".contains("quote") }
    }

    @Test func textAfterAClosingQuoteIsAnError() {
        #expect { try parse("a,b,label\n1,\"2\"x,0\n") } throws: { e in "\(e)".contains("line 2") }
    }

    @Test func aRaggedRowNamesItsLineAfterAQuotedNewline() {
        #expect { try parse("\"a\nb\",c\n1,2\n3\n") } throws: { e in "\(e)".contains("line 4") && "\(e)".contains("expected 2 fields") }
    }

    @Test func aRepeatedColumnIsAnError() {
        #expect { try parse("a,a,label\n1,2,0\n") } throws: { e in "\(e)".contains("\"a\" appears more than once") }
    }

    @Test func aBadNumberNamesLineAndColumn() {
        #expect { try parse("a,b,label\r\n1,2,0\r\n3,x,1\r\n") } throws: { e in
            "\(e)".contains("line 3, column \"b\"") && "\(e)".contains("\"x\"")
        }
    }
}
