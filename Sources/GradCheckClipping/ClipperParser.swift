import Foundation
import GradCheckNN

/// Reads clipping policies in the CLI's syntax: a name, then settings after colons.
///
/// | Text | Policy |
/// |---|---|
/// | `none` | no clipping |
/// | `value:C` | `.value(clipValue:)` |
/// | `norm:C` | `.norm(maxNorm:)` |
/// | `global_norm:C` | `.globalNorm(maxNorm:)` |
/// | `agc`, `agc:λ`, `agc:λ:EPS` | `.agc(clipping:eps:)` (0.01, 1e-3) |
/// | `autoclip`, `autoclip:P` | `.autoclip(percentile:)` (10) |
/// | `zclip`, `zclip:Z`, `zclip:Z:ALPHA`, `zclip:Z:ALPHA:WARMUP` | `.zclip(zThreshold:alpha:warmupSteps:)` (2.5, 0.97, 25) |
///
/// Names ignore case and accept `-` for `_` and the Keras spellings (`clipnorm`,
/// `clipvalue`, `global_clipnorm`). Ranges are those of the spec format: thresholds
/// finite and > 0, eps ≥ 0, percentile in (0, 100], α in [0, 1), warm-up an integer ≥ 0.
/// Every clipper's ``GradientClipper/description`` parses back to its spec.
public enum ClipperParser {
    /// The policy names, as written.
    public static let names = ["none", "value", "norm", "global_norm", "agc", "autoclip", "zclip"]

    static let aliases = [
        "clipvalue": "value", "clip_value": "value", "clipnorm": "norm", "clip_norm": "norm",
        "global_clipnorm": "global_norm", "globalnorm": "global_norm", "global_clip_norm": "global_norm",
        "adaptive": "agc", "z_clip": "zclip", "auto_clip": "autoclip", "no": "none", "off": "none",
    ]

    /// Reads one policy.
    ///
    /// - Complexity: O(length of text).
    /// - Throws: ``ClipperParseError`` for an unknown name (with a did-you-mean), a
    ///   missing or extra setting, a setting that is not a number, or one out of range.
    public static func parse(_ text: String) throws(ClipperParseError) -> ClippingSpec {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        func fail(_ message: String) -> ClipperParseError { ClipperParseError(text: text, message: message) }
        guard !trimmed.isEmpty else {
            throw fail("empty; expected one of \(names.joined(separator: ", ")), e.g. global_norm:1")
        }
        let parts = trimmed.split(separator: ":", omittingEmptySubsequences: false).map {
            String($0).trimmingCharacters(in: .whitespaces)
        }
        let written = parts[0].lowercased().replacingOccurrences(of: "-", with: "_")
        guard let name = names.contains(written) ? written : aliases[written] else {
            throw fail("unknown policy \"\(parts[0])\"; the policies are \(names.joined(separator: ", "))"
                       + DidYouMean.hint(for: parts[0], among: names + aliases.keys.sorted()))
        }
        let settings = Array(parts.dropFirst())
        func number(_ i: Int, _ what: String) throws(ClipperParseError) -> Double {
            guard let v = Double(settings[i]), v.isFinite else {
                throw fail("\(what) \"\(settings[i])\" is not a finite number")
            }
            return v
        }
        func positive(_ i: Int, _ what: String) throws(ClipperParseError) -> Double {
            let v = try number(i, what)
            guard v > 0 else { throw fail("\(what) must be > 0, got \(settings[i])") }
            return v
        }
        func count(_ allowed: ClosedRange<Int>, _ usage: String) throws(ClipperParseError) {
            guard allowed.contains(settings.count) else {
                let got = settings.isEmpty ? "no settings" : "\(settings.count) setting\(settings.count == 1 ? "" : "s")"
                throw fail("\(name) takes \(usage); got \(got)")
            }
        }
        switch name {
        case "none":
            try count(0...0, "no settings (write none)")
            return .none
        case "value":
            try count(1...1, "one threshold, e.g. value:1")
            return .value(clipValue: try positive(0, "clip value"))
        case "norm":
            try count(1...1, "one threshold, e.g. norm:1")
            return .norm(maxNorm: try positive(0, "max norm"))
        case "global_norm":
            try count(1...1, "one threshold, e.g. global_norm:1")
            return .globalNorm(maxNorm: try positive(0, "max norm"))
        case "agc":
            try count(0...2, "at most λ and eps, e.g. agc:0.01 or agc:0.01:0.001")
            let lambda = settings.count > 0 ? try positive(0, "clipping factor λ") : 0.01
            var eps = 1e-3
            if settings.count > 1 {
                eps = try number(1, "eps")
                guard eps >= 0 else { throw fail("eps must be ≥ 0, got \(settings[1])") }
            }
            return .agc(clipping: lambda, eps: eps)
        case "autoclip":
            try count(0...1, "at most a percentile, e.g. autoclip:10")
            var p = 10.0
            if settings.count > 0 {
                p = try number(0, "percentile")
                guard p > 0, p <= 100 else { throw fail("percentile must be in (0, 100], got \(settings[0])") }
            }
            return .autoclip(percentile: p)
        default:
            try count(0...3, "at most z threshold, alpha and warm-up steps, e.g. zclip:2.5:0.97:25")
            let z = settings.count > 0 ? try positive(0, "z threshold") : 2.5
            var alpha = 0.97
            if settings.count > 1 {
                alpha = try number(1, "alpha")
                guard alpha >= 0, alpha < 1 else { throw fail("alpha must be in [0, 1), got \(settings[1])") }
            }
            var warmup = 25
            if settings.count > 2 {
                guard let w = Int(settings[2]), w >= 0 else {
                    throw fail("warm-up steps must be an integer ≥ 0, got \"\(settings[2])\"")
                }
                warmup = w
            }
            return .zclip(zThreshold: z, alpha: alpha, warmupSteps: warmup)
        }
    }

    /// Reads a comma-separated list of policies (`none,value:1,global_norm:1`), as the
    /// clipping lab's `--policies` takes it.
    ///
    /// - Complexity: O(length of text).
    /// - Throws: ``ClipperParseError`` for the first entry that does not parse, or an
    ///   empty list.
    public static func parseList(_ text: String) throws(ClipperParseError) -> [ClippingSpec] {
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard items.contains(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) else {
            throw ClipperParseError(text: text, message: "no policies given; write e.g. none,value:1,global_norm:1")
        }
        var specs: [ClippingSpec] = []
        for item in items { specs.append(try parse(item)) }
        return specs
    }

    /// The CLI text of a spec: what the matching clipper's description says.
    /// - Complexity: O(1).
    public static func text(of spec: ClippingSpec) -> String {
        makeClipper(spec).description
    }
}
