import GradCheckClipping
import GradCheckNN
import Testing

/// The CLI syntax: every policy, defaults, aliases, round trips, and errors.
@Suite struct ClipperParserTests {
    @Test func readsEveryPolicy() throws {
        let cases: [(String, ClippingSpec)] = [
            ("none", .none),
            ("value:1", .value(clipValue: 1)),
            ("norm:1", .norm(maxNorm: 1)),
            ("global_norm:1", .globalNorm(maxNorm: 1)),
            ("global_norm:0.25", .globalNorm(maxNorm: 0.25)),
            ("agc", .agc(clipping: 0.01, eps: 1e-3)),
            ("agc:0.01", .agc(clipping: 0.01, eps: 1e-3)),
            ("agc:0.02:0", .agc(clipping: 0.02, eps: 0)),
            ("autoclip", .autoclip(percentile: 10)),
            ("autoclip:10", .autoclip(percentile: 10)),
            ("zclip", .zclip(zThreshold: 2.5, alpha: 0.97, warmupSteps: 25)),
            ("zclip:2.5", .zclip(zThreshold: 2.5, alpha: 0.97, warmupSteps: 25)),
            ("zclip:3:0.9:10", .zclip(zThreshold: 3, alpha: 0.9, warmupSteps: 10)),
            (" Global-Norm : 2 ", .globalNorm(maxNorm: 2)),
            ("clipnorm:1", .norm(maxNorm: 1)),
            ("clipvalue:0.5", .value(clipValue: 0.5)),
            ("global_clipnorm:1", .globalNorm(maxNorm: 1)),
        ]
        for (text, spec) in cases {
            #expect(try ClipperParser.parse(text) == spec, "\(text)")
        }
    }

    @Test func descriptionsParseBack() throws {
        let specs: [ClippingSpec] = [
            .none, .value(clipValue: 1), .norm(maxNorm: 0.5), .globalNorm(maxNorm: 1), .agc(clipping: 0.01, eps: 1e-3),
            .agc(clipping: 0.05, eps: 1e-4), .autoclip(percentile: 10), .autoclip(percentile: 12.5),
            .zclip(zThreshold: 2.5, alpha: 0.97, warmupSteps: 25), .zclip(zThreshold: 3, alpha: 0.97, warmupSteps: 25),
            .zclip(zThreshold: 2.5, alpha: 0.9, warmupSteps: 5),
        ]
        for spec in specs {
            let text = makeClipper(spec).description
            #expect(try ClipperParser.parse(text) == spec, "\(text)")
            #expect(ClipperParser.text(of: spec) == text)
        }
        #expect(makeClipper(.globalNorm(maxNorm: 1)).description == "global_norm:1")
        #expect(makeClipper(.agc(clipping: 0.01, eps: 1e-3)).description == "agc:0.01")
        #expect(makeClipper(.zclip(zThreshold: 2.5, alpha: 0.97, warmupSteps: 25)).description == "zclip")
    }

    @Test func readsALabList() throws {
        let specs = try ClipperParser.parseList("none,value:1,norm:1,global_norm:1,agc:0.01,autoclip:10")
        #expect(specs.count == 6 && specs[3] == .globalNorm(maxNorm: 1))
        #expect(throws: ClipperParseError.self) { try ClipperParser.parseList("none,,value:1") }
        #expect(throws: ClipperParseError.self) { try ClipperParser.parseList(" ") }
    }

    static func message(_ text: String) -> String {
        do throws(ClipperParseError) {
            _ = try ClipperParser.parse(text)
            return "no error"
        } catch {
            return error.description
        }
    }

    @Test func errorsSayWhatAndSuggest() {
        #expect(Self.message("global_nrom:1").contains("did you mean \"global_norm\"?"))
        #expect(Self.message("zclp").contains("did you mean \"zclip\"?"))
        #expect(Self.message("autoclp:5").contains("did you mean \"autoclip\"?"))
        #expect(Self.message("frobnicate").contains("unknown policy \"frobnicate\""))
        #expect(Self.message("value").contains("value takes one threshold"))
        #expect(Self.message("value:1:2").contains("got 2 settings"))
        #expect(Self.message("value:-1").contains("must be > 0"))
        #expect(Self.message("norm:abc").contains("\"abc\" is not a finite number"))
        #expect(Self.message("global_norm:inf").contains("not a finite number"))
        #expect(Self.message("none:1").contains("none takes no settings"))
        #expect(Self.message("autoclip:150").contains("percentile must be in (0, 100]"))
        #expect(Self.message("zclip:2.5:1").contains("alpha must be in [0, 1)"))
        #expect(Self.message("zclip:2.5:0.9:2.5").contains("integer ≥ 0"))
        #expect(Self.message("agc:0.01:-1").contains("eps must be ≥ 0"))
        #expect(Self.message("").contains("empty"))
        #expect(Self.message("global_nrom:1").hasPrefix("clipping policy \"global_nrom:1\": "))
    }
}
