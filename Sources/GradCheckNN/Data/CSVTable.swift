import Foundation

/// A numeric table read from CSV: a header row of column names, then one sample per
/// record, every field a number (the datasets in `Fixtures/data` are of this form).
///
/// The text is read as RFC 4180 says: fields separated by commas; a field in double
/// quotes may hold commas, line breaks and doubled quotes (`""` for `"`); records end
/// with CRLF, LF or CR (mixed endings are fine); a UTF-8 byte-order mark at the start is
/// ignored, and so are a missing final line break and blank lines at the end. Spaces
/// around a number are ignored. A field that is not a number (`nan`, `inf` and `-inf`
/// are numbers), a record with the wrong number of fields, a quote inside an unquoted
/// field or a quoted field that never closes is an error naming the file, the line and
/// the column.
public struct CSVTable: Sendable, Equatable {
    /// The column names, from the header.
    public var columns: [String]
    /// The rows, each with one value per column.
    public var rows: [[Double]]
    /// The line of the file each row starts on (1 is the header's), for messages; a
    /// quoted line break makes a row span more than one line.
    public var rowLines: [Int]

    /// A table from columns and rows (row `i` on line `i + 2`).
    public init(columns: [String], rows: [[Double]]) {
        self.init(columns: columns, rows: rows, rowLines: rows.indices.map { $0 + 2 })
    }

    init(columns: [String], rows: [[Double]], rowLines: [Int]) {
        self.columns = columns
        self.rows = rows
        self.rowLines = rowLines
    }

    /// Tables are equal when their columns and values are (bitwise for NaN is not
    /// attempted: NaN ≠ NaN, as for `Double`).
    public static func == (a: CSVTable, b: CSVTable) -> Bool { a.columns == b.columns && a.rows == b.rows }

    /// Reads a CSV file.
    ///
    /// - Throws: ``SpecError`` with the file and `line N, column "name"` for a bad field,
    ///   a ragged row, a missing header or an unreadable file.
    public static func load(path: String) throws(SpecError) -> CSVTable {
        let bytes = try FileIO.read(path: path)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw SpecError(file: path, message: "the file is not UTF-8 text")
        }
        return try parse(text, file: path)
    }

    /// One record: its fields and the line it starts on.
    struct Record {
        var fields: [String]
        var line: Int
    }

    /// Splits CSV text into records (RFC 4180).
    static func records(_ text: String, file: String?) throws(SpecError) -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field = String.UnicodeScalarView()
        var line = 1, recordLine = 1
        var quoted = false        // inside a quoted field
        var wasQuoted = false     // the current field was quoted and has closed
        var scalars = Array(text.unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        func endField() {
            fields.append(String(field))
            field = String.UnicodeScalarView()
            wasQuoted = false
        }
        func endRecord() {
            endField()
            records.append(Record(fields: fields, line: recordLine))
            fields = []
        }
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            i += 1
            if quoted {
                if c == "\"" {
                    if i < scalars.count, scalars[i] == "\"" {
                        field.append("\"")
                        i += 1
                    } else {
                        quoted = false
                        wasQuoted = true
                    }
                } else {
                    if c == "\n" || (c == "\r" && !(i < scalars.count && scalars[i] == "\n")) { line += 1 }
                    field.append(c)
                }
                continue
            }
            switch c {
            case ",":
                endField()
            case "\r", "\n":
                if c == "\r", i < scalars.count, scalars[i] == "\n" { i += 1 }
                endRecord()
                line += 1
                recordLine = line
            case "\"":
                guard field.allSatisfy({ $0 == " " || $0 == "\t" }), !wasQuoted else {
                    throw SpecError(file: file, path: "line \(line), field \(fields.count + 1)",
                                    message: "a quote inside an unquoted field (quote the whole field, and double quotes inside it: \"\"\")")
                }
                field = String.UnicodeScalarView()
                quoted = true
            default:
                if wasQuoted, c != " ", c != "\t" {
                    throw SpecError(file: file, path: "line \(line), field \(fields.count + 1)",
                                    message: "unexpected \"\(Character(c))\" after a closing quote (expected a comma or the end of the line)")
                }
                if !wasQuoted { field.append(c) }
            }
        }
        if quoted {
            throw SpecError(file: file, path: "line \(recordLine)", message: "a quoted field is not closed before the end of the file")
        }
        if !field.isEmpty || !fields.isEmpty || wasQuoted { endRecord() }
        // Blank lines at the end are not records.
        while let last = records.last, last.fields.count == 1,
              last.fields[0].trimmingCharacters(in: .whitespaces).isEmpty {
            records.removeLast()
        }
        return records
    }

    /// Parses CSV text.
    public static func parse(_ text: String, file: String? = nil) throws(SpecError) -> CSVTable {
        let records = try records(text, file: file)
        guard let header = records.first else { throw SpecError(file: file, message: "empty CSV: expected a header row") }
        let columns = header.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        guard !columns.isEmpty, !columns.contains("") else {
            throw SpecError(file: file, path: "line 1", message: "expected a header of column names, got \(header.fields)")
        }
        if let dup = columns.indices.first(where: { columns[..<$0].contains(columns[$0]) }) {
            throw SpecError(file: file, path: "line 1", message: "the column \"\(columns[dup])\" appears more than once")
        }
        var rows: [[Double]] = []
        var lines: [Int] = []
        rows.reserveCapacity(records.count - 1)
        for record in records.dropFirst() {
            let fields = record.fields
            guard fields.count == columns.count else {
                throw SpecError(file: file, path: "line \(record.line)",
                                message: "expected \(columns.count) fields, got \(fields.count)")
            }
            var row: [Double] = []
            row.reserveCapacity(fields.count)
            for (c, field) in fields.enumerated() {
                let t = field.trimmingCharacters(in: .whitespaces)
                let value: Double?
                switch t.lowercased() {
                case "nan": value = .nan
                case "inf", "+inf": value = .infinity
                case "-inf": value = -.infinity
                default: value = Double(t)
                }
                guard let value else {
                    throw SpecError(file: file, path: "line \(record.line), column \"\(columns[c])\"",
                                    message: "expected a number, got \"\(t)\"")
                }
                row.append(value)
            }
            rows.append(row)
            lines.append(record.line)
        }
        return CSVTable(columns: columns, rows: rows, rowLines: lines)
    }

    /// Splits the table into features and one label column.
    ///
    /// - Parameter label: the label column's name.
    /// - Throws: ``SpecError`` when there is no such column, listing the columns.
    public func split(label: String, file: String? = nil) throws(SpecError) -> (features: [[Double]], labels: [Double], featureNames: [String]) {
        if label != "label", columns.contains("label"), columns.contains(label) {
            throw SpecError(file: file, message: "the label column is \"\(label)\", but the CSV also has a column \"label\", which would then be read as a feature; give --label label, or rename that column")
        }
        guard let li = columns.firstIndex(of: label) else {
            let hint = DidYouMean.hint(for: label, among: columns)
            throw SpecError(file: file, message: "no column \"\(label)\"\(hint) (columns: \(columns.prefix(8).joined(separator: ", "))\(columns.count > 8 ? ", …" : ""))")
        }
        var features: [[Double]] = []
        var labels: [Double] = []
        for row in rows {
            var f = row
            labels.append(f.remove(at: li))
            features.append(f)
        }
        var names = columns
        names.remove(at: li)
        return (features, labels, names)
    }
}
