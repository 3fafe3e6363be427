import Foundation

/// A numeric table read from CSV: a header row of column names, then one sample per
/// line, every field a number (the datasets in `Fixtures/data` are of this form).
///
/// Quoted fields, blank lines at the end and `\r\n` line endings are accepted. A field
/// that is not a number, or a row with the wrong number of fields, is an error naming
/// the file, the line and the column.
public struct CSVTable: Sendable, Equatable {
    /// The column names, from the header.
    public var columns: [String]
    /// The rows, each with one value per column.
    public var rows: [[Double]]

    /// A table from columns and rows.
    public init(columns: [String], rows: [[Double]]) {
        self.columns = columns
        self.rows = rows
    }

    /// Reads a CSV file.
    ///
    /// - Throws: ``SpecError`` with the file and `line N, column "name"` for a bad field,
    ///   a ragged row, a missing header or an unreadable file.
    public static func load(path: String) throws(SpecError) -> CSVTable {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SpecError(file: path, message: "cannot read the file (does it exist?)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SpecError(file: path, message: "the file is not UTF-8 text")
        }
        return try parse(text, file: path)
    }

    /// Parses CSV text.
    public static func parse(_ text: String, file: String? = nil) throws(SpecError) -> CSVTable {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> Substring in
            line.hasSuffix("\r") ? line.dropLast() : line
        }
        while let last = lines.last, last.trimmingCharacters(in: .whitespaces).isEmpty { lines.removeLast() }
        guard let header = lines.first else { throw SpecError(file: file, message: "empty CSV: expected a header row") }
        let columns = splitFields(header).map { $0.trimmingCharacters(in: .whitespaces) }
        guard !columns.isEmpty, !columns.contains("") else {
            throw SpecError(file: file, path: "line 1", message: "expected a header of column names, got \"\(header)\"")
        }
        var rows: [[Double]] = []
        rows.reserveCapacity(lines.count - 1)
        for (n, line) in lines.enumerated().dropFirst() {
            let fields = splitFields(line)
            guard fields.count == columns.count else {
                throw SpecError(file: file, path: "line \(n + 1)",
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
                    throw SpecError(file: file, path: "line \(n + 1), column \"\(columns[c])\"",
                                    message: "expected a number, got \"\(t)\"")
                }
                row.append(value)
            }
            rows.append(row)
        }
        return CSVTable(columns: columns, rows: rows)
    }

    static func splitFields(_ line: Substring) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var iterator = line.makeIterator()
        while let ch = iterator.next() {
            if ch == "\"" {
                quoted.toggle()
            } else if ch == "," && !quoted {
                fields.append(current)
                current = ""
            } else {
                current.append(ch)
            }
        }
        fields.append(current)
        return fields
    }

    /// Splits the table into features and one label column.
    ///
    /// - Parameter label: the label column's name.
    /// - Throws: ``SpecError`` when there is no such column, listing the columns.
    public func split(label: String, file: String? = nil) throws(SpecError) -> (features: [[Double]], labels: [Double], featureNames: [String]) {
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
