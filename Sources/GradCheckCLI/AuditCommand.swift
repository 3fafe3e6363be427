import Foundation
import GradCheck

/// `gradcheck audit SPEC`: each layer, and the whole model, in float32 against float64 at
/// the same point; the digits that agree, the worst element, and where float16 and
/// bfloat16 would overflow or flush to zero.
enum AuditCommand {
    static let formats: [OutputFormat] = [.text, .json, .markdown]

    static let flags: [Arguments.Flag] = ModelSession.flags + OutputOptions.flags(formats)

    static var help: String {
        helpText(usage: "audit SPEC [--weights FILE] [--batch FILE] [options]", description: """
        Runs every layer on its own (at its real float64 inputs on the batch, against a seeded random
        projection of its output) and the whole model with its loss in float32 and in float64 from the
        same point, and reports per layer the digits of the float32 gradients (inputs and parameters)
        that agree with float64: -log10(|g32 - g64| / max(|g64|, 1e-6 max|g64| of the tensor)), median
        and worst, with the worst element. From the float64 magnitudes of each layer's outputs and of the
        loss's gradients it gives the fractions of nonzero values that float16 (largest 65504, smallest
        normal 6.1e-5, smallest subnormal 6.0e-8) and bfloat16 (largest 3.4e38, smallest normal 1.2e-38)
        would overflow, hold as subnormals (flushed to zero on hardware that flushes) or round to zero.
        The layer that loses the most digits (lowest median) is named.

        Exit status: 0 success, 1 a non-finite value in the weights or batch, 2 bad input.
        """, flags: flags)
    }

    static func run(_ argv: [String], console: Console) throws -> Int32 {
        let args = try Arguments(argv, flags: flags)
        let spec = try args.requirePositionals(["spec"])[0]
        let output = try OutputOptions(args, formats: formats)
        console.apply(output)
        let start = Date()
        let session = try ModelSession(args, specPath: spec)
        let report = try PrecisionAudit(seed: session.seed).run(session.model, parameters: session.parameters,
                                                                inputs: session.inputs, targets: session.targets)
        let seconds = Date().timeIntervalSince(start)
        let rendered: String
        switch output.format {
        case .json: rendered = JSONWriter.pretty.fileContents(for: json(report, batch: session.batchDescription, seconds: seconds))
        case .markdown: rendered = markdown(report, batch: session.batchDescription)
        default: rendered = text(report, batch: session.batchDescription)
        }
        try console.emit(rendered, output, summary: report.worstLayer.map { "most digits lost: \($0.target)" })
        return 0
    }

    static let header = ["target", "elements", "median digits", "worst digits", "worst element (float32 vs float64)"]
    static let rangeHeader = ["target", "float16 outputs", "float16 gradients", "bfloat16 outputs", "bfloat16 gradients"]

    static func rows(_ report: PrecisionReport) -> [[String]] {
        report.targets.map { t in
            [t.target, "\(t.elements)", digits(t.medianDigits), digits(t.worstDigits),
             t.worst.map { "\($0.tensor)\($0.index): \(short($0.float32)) vs \(short($0.float64))" } ?? "-"]
        }
    }

    static func rangeRows(_ report: PrecisionReport) -> [[String]] {
        report.targets.map { t in
            [t.target] + PrecisionAudit.formats.flatMap { f in
                [t.activations[f.name], t.gradients[f.name]].map { $0.map(use) ?? "-" }
            }
        }
    }

    /// `overflow/subnormal/zero` as percentages of the nonzero values.
    static func use(_ u: RangeUse) -> String {
        [u.overflow, u.subnormal, u.underflow].map(percent).joined(separator: " / ")
    }

    static func percent(_ x: Double) -> String {
        x == 0 ? "0" : (x < 0.001 ? "<0.1%" : String(format: "%.1f%%", x * 100))
    }

    static func digits(_ x: Double) -> String { String(format: "%.1f", x) }

    static let digitsLine = "digits of the float32 gradients that agree with float64: -log10(|g32 - g64| / "
        + "max(|g64|, 1e-6 max|g64|)), 16 when equal"
    static let rangeLine = "narrow formats, from the float64 magnitudes: overflow / subnormal (flushed to zero where "
        + "subnormals are flushed) / rounded to zero, as fractions of the nonzero values"

    static func verdict(_ report: PrecisionReport) -> String {
        guard let w = report.worstLayer else { return "no layer has gradients to compare" }
        return "most digits lost: \(w.target) (median \(digits(w.medianDigits)), worst \(digits(w.worstDigits)) digits"
            + (w.worst.map { " at \($0.tensor)\($0.index)" } ?? "") + ")"
    }

    static func text(_ report: PrecisionReport, batch: String) -> String {
        var out = "gradcheck audit \(report.model): float32 against float64 on \(batch); loss \(short(report.loss64)) "
            + "(float64), \(short(report.loss32)) (float32)\n\n"
        out += digitsLine + "\n" + table(header, rows(report), rightAligned: [1, 2, 3])
        out += "\n" + rangeLine + "\n" + table(rangeHeader, rangeRows(report))
        out += "\n" + verdict(report) + "\n"
        return out
    }

    static func markdown(_ report: PrecisionReport, batch: String) -> String {
        var out = "## gradcheck audit: `\(report.model)`\n\n"
        out += "Float32 against float64 on \(batch); loss \(short(report.loss64)) (float64), \(short(report.loss32)) (float32).\n\n"
        out += "Digits of the float32 gradients that agree with float64 (`-log10(|g32 - g64| / max(|g64|, 1e-6 max|g64|))`, 16 when equal):\n\n"
        out += markdownTable(header, rows(report))
        out += "\nNarrow formats, from the float64 magnitudes: overflow / subnormal / rounded to zero, as fractions of the nonzero values:\n\n"
        out += markdownTable(rangeHeader, rangeRows(report))
        out += "\n**" + verdict(report) + "**\n"
        return out
    }

    static func json(_ report: PrecisionReport, batch: String, seconds: Double) -> JSONValue {
        func range(_ u: RangeUse) -> JSONValue {
            .object(["elements": .integer(u.elements), "overflow": .number(u.overflow), "subnormal": .number(u.subnormal),
                     "underflow": .number(u.underflow)])
        }
        let targets: [JSONValue] = report.targets.map { t in
            var o: JSONObject = ["target": .string(t.target), "elements": .integer(t.elements),
                                 "median_digits": .number(t.medianDigits), "worst_digits": .number(t.worstDigits)]
            if let w = t.worst {
                o["worst"] = .object(["tensor": .string(w.tensor), "index": .integers(w.index), "float32": .number(w.float32),
                                      "float64": .number(w.float64), "digits": .number(w.digits)])
            }
            for f in PrecisionAudit.formats {
                var ranges: JSONObject = [:]
                if let a = t.activations[f.name] { ranges["outputs"] = range(a) }
                if let g = t.gradients[f.name] { ranges["gradients"] = range(g) }
                o[f.name] = .object(ranges)
            }
            return .object(o)
        }
        var document: JSONObject = [
            "format": "gradcheck.audit/1", "model": .string(report.model), "batch": .string(batch),
            "loss": .object(["float64": .number(report.loss64), "float32": .number(report.loss32)]),
            "seconds": .number((seconds * 1000).rounded() / 1000),
            "targets": .array(targets),
        ]
        if let w = report.worstLayer { document["worst_layer"] = .string(w.target) }
        return .object(document)
    }
}
