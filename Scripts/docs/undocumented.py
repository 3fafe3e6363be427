#!/usr/bin/env python3
"""Lists public declarations in Sources/ that have no `///` documentation comment.

    python3 Scripts/docs/undocumented.py        # exit 1 when any is found

A line that declares something `public` or `open` must follow a `///` comment, possibly
with attribute lines (`@inlinable`, `@available(...)`) in between. Exempt, because DocC shows
them with the documentation of the requirement they implement: implementations of a
requirement of a protocol declared in Sources/ (found by name), and of the standard
library's protocols (`description`, `==`, `<`, `+`, `-`, `hash(into:)`, `zero`,
`move(by:)`, `TangentVector`, `makeIterator`, `next`, the literal initialisers).
Extensions are documented by their members.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
DECL = re.compile(r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:public|open)\s+(?!import\b)(?:[\w()]+\s+)*"
                  r"(?:func|var|let|init|subscript|struct|class|enum|protocol|typealias|extension|case|actor|static|mutating|nonisolated|convenience|final|indirect|override|required|lazy)\b")


STANDARD = {"description", "==", "<", "+", "-", "hash", "zero", "move", "TangentVector", "makeIterator", "next",
            "init(nilLiteral", "init(booleanLiteral", "init(integerLiteral", "init(floatLiteral", "init(stringLiteral",
            "init(arrayLiteral", "init(dictionaryLiteral", "debugDescription", "Element", "Iterator"}
NAME = re.compile(r"\b(?:func|var|let|typealias|associatedtype|case)\s+([A-Za-z_][A-Za-z0-9_]*|[-+*/<>=!]+)|\b(init)\s*(\([A-Za-z_]*)?")


def declared_name(line):
    m = NAME.search(line)
    if not m:
        return None
    if m.group(2):
        label = (m.group(3) or "(").rstrip()
        return "init" + (label if label.endswith("Literal") or label == "(" else label.split(":")[0])
    return m.group(1)


def protocol_requirements():
    names = set()
    for path in (ROOT / "Sources").rglob("*.swift"):
        text = path.read_text()
        for m in re.finditer(r"\bprotocol\s+\w+[^{]*\{", text):
            depth, i = 1, m.end()
            while depth and i < len(text):
                depth += {"{": 1, "}": -1}.get(text[i], 0)
                i += 1
            for line in text[m.end():i].split("\n"):
                n = declared_name(line)
                if n:
                    names.add(n)
    return names


REQUIREMENTS = None


def undocumented(path):
    global REQUIREMENTS
    if REQUIREMENTS is None:
        REQUIREMENTS = protocol_requirements() | STANDARD
    lines = path.read_text().split("\n")
    found = []
    for i, line in enumerate(lines):
        if not DECL.match(line):
            continue
        if re.match(r"^\s*(?:public\s+)?extension\b", line.strip()):
            continue  # an extension is documented by its members
        name = declared_name(line)
        if name and (name in REQUIREMENTS or name.split("(")[0] in REQUIREMENTS and name.startswith("init(") is False):
            continue
        j = i - 1
        while j >= 0 and (lines[j].strip().startswith("@") or lines[j].strip() == ""):
            if lines[j].strip() == "":
                break
            j -= 1
        if j < 0 or not lines[j].strip().startswith("///") and not lines[j].strip().endswith("*/"):
            found.append((i + 1, line.strip()))
    return found


def main():
    total = 0
    for path in sorted((ROOT / "Sources").rglob("*.swift")):
        for n, line in undocumented(path):
            print(f"{path.relative_to(ROOT)}:{n}: {line[:120]}")
            total += 1
    print(f"{total} public declarations without a /// comment", file=sys.stderr)
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
