#!/usr/bin/env bash
# Builds the DocC documentation of every library module with the toolchain's `docc`,
# without the swift-docc-plugin (which would be a package dependency):
#
#   swift build                              # the modules the symbol graphs come from
#   bash Scripts/docs/build_docs.sh [OUT]    # OUT/<Module>.doccarchive (default .build/docs)
#
# Symbol graphs are extracted from the debug build's modules with swift-symbolgraph-extract,
# then each Sources/<Module>/<Module>.docc catalog is converted with them. A failed conversion
# fails the script; DocC's warnings (a parameter left out of a `- Parameters:` list, a broken
# ``symbol`` link) are counted and shown, and fail it with --strict.
set -euo pipefail
cd "$(dirname "$0")/../.."
STRICT=0
if [ "${1:-}" = "--strict" ]; then STRICT=1; shift; fi
OUT="${1:-.build/docs}"
WARNINGS=0
BIN=$(swift build --show-bin-path)
TRIPLE=$(swift -print-target-info | python3 -c 'import json,sys; print(json.load(sys.stdin)["target"]["triple"])')
MODULES="GradCheck GradCheckTensor GradCheckAutograd GradCheckNN GradCheckVerify GradCheckClipping GradCheckHealth GradCheckTraining GradCheckTesting"
mkdir -p "$OUT"
for module in $MODULES; do
    graphs="$OUT/symbol-graphs/$module"
    rm -rf "$graphs" && mkdir -p "$graphs"
    swift-symbolgraph-extract -module-name "$module" -target "$TRIPLE" -I "$BIN/Modules" -I "$BIN" \
        -minimum-access-level public -output-dir "$graphs" >/dev/null
    log="$OUT/$module.log"
    docc convert "Sources/$module/$module.docc" --additional-symbol-graph-dir "$graphs" \
        --fallback-display-name "$module" --fallback-bundle-identifier "org.gradcheck.$module" \
        --output-path "$OUT/$module.doccarchive" >"$log" 2>&1 || { cat "$log"; exit 1; }
    count=$(grep -c "warning:" "$log" || true)
    WARNINGS=$((WARNINGS + count))
    echo "$module: $OUT/$module.doccarchive ($count warnings)"
    grep "warning:" "$log" | sort | uniq | sed 's/^/    /' || true
done
if [ "$STRICT" = 1 ] && [ "$WARNINGS" -gt 0 ]; then echo "$WARNINGS DocC warnings"; exit 1; fi
