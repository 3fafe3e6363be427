#!/usr/bin/env python3
"""Validates every fixture (and any files given) against the committed JSON Schemas in
docs/schemas/ with Python's `jsonschema` (draft 2020-12), as a second opinion on the
test target's own validator (Tests/GradCheckCLITests/SchemaValidator.swift).

    python3 Scripts/docs/validate_schemas.py                 # every fixture
    python3 Scripts/docs/validate_schemas.py out.json run.jsonl

A file's schema comes from its `format` tag, else from where it lies (Fixtures/specs → model,
Fixtures/reference/*/weights.json → weights, ...); a .jsonl file is validated line by line,
a torn last line (a run killed mid-write) excepted. Exits 1 when anything is invalid, 0 when
everything validates, and 0 with a note when jsonschema is not installed.
"""
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "docs" / "schemas"
BY_FORMAT = {
    "gradcheck.model/1": "model", "gradcheck.weights/1": "weights", "gradcheck.batch/1": "batch",
    "gradcheck.gradients/1": "gradients", "gradcheck.check/1": "check", "gradcheck.compare/1": "compare",
    "gradcheck.summary/1": "summary", "gradcheck.train/1": "train", "gradcheck.health/1": "health",
    "gradcheck.cliplab/1": "cliplab", "gradcheck.doctor/1": "doctor", "gradcheck.sweep/1": "sweep",
    "gradcheck.healthcompare/1": "healthcompare", "gradcheck.check-part/1": "check-part", "gradcheck.audit/1": "audit",
}
# Reference data of the project's own scripts, not files the tool reads or writes.
SKIP_FORMATS = {"gradcheck.kfold-reference/1"}
# Fixture folders that hold no gradcheck file (clipping golden values are test data of their own).
SKIP = {"clipping"}


def schema_name(path, value):
    if isinstance(value, dict) and value.get("format") in SKIP_FORMATS:
        return "skip"
    if isinstance(value, dict) and isinstance(value.get("format"), str) and value["format"] in BY_FORMAT:
        return BY_FORMAT[value["format"]]
    parts = path.parts
    if "keras" in parts:
        return "skip"  # Keras' own files (to_json(), archives' configs): another framework's format
    if "reference" in parts and path.stem in ("weights", "batch", "gradients"):
        return path.stem
    if any(p in parts for p in ("specs", "lab", "runs")):
        return "model"
    if isinstance(value, dict) and set(value) == {"shape", "values"}:
        return "tensor"
    return None


def fixture_files():
    for path in sorted((ROOT / "Fixtures").rglob("*")):
        rel = path.relative_to(ROOT / "Fixtures")
        if path.is_file() and path.suffix in (".json", ".jsonl") and rel.parts[0] not in SKIP:
            yield path


def main(argv):
    try:
        import jsonschema
        from referencing import Registry, Resource
    except ImportError:
        print("jsonschema is not installed: nothing validated (pip install jsonschema)")
        return 0
    schemas = {p.name[: -len(".schema.json")]: json.loads(p.read_text()) for p in SCHEMAS.glob("*.schema.json")}
    registry = Registry().with_resources(
        (f"{name}.schema.json", Resource.from_contents(s)) for name, s in schemas.items())
    for s in schemas.values():
        jsonschema.Draft202012Validator.check_schema(s)
    validators = {name: jsonschema.Draft202012Validator(s, registry=registry) for name, s in schemas.items()}

    files = [pathlib.Path(a).resolve() for a in argv] or list(fixture_files())
    bad = checked = 0

    jsonl_schema = "log-line"

    def check(value, path, where):
        nonlocal bad, checked
        name = jsonl_schema if path.suffix == ".jsonl" else schema_name(path, value)
        if name == "skip":
            return
        if name is None:
            print(f"{where}: no schema for this file")
            bad += 1
            return
        errors = sorted(validators[name].iter_errors(value), key=lambda e: list(e.absolute_path))
        checked += 1
        for e in errors[:5]:
            loc = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in e.absolute_path)
            print(f"{where}{loc or ''}: {name}: {e.message[:300]}")
        bad += bool(errors)

    for path in files:
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        text = path.read_text()
        if path.suffix == ".jsonl":
            lines = text.split("\n")
            # A sweep's results file says so on its first line; anything else is a run log.
            nonlocal_first = lines[0] if lines else ""
            jsonl_schema = "sweep-results-line" if '"gradcheck.sweep-results/1"' in nonlocal_first else "log-line"
            for k, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except json.JSONDecodeError:
                    if k == len(lines) and not text.endswith("\n"):
                        continue  # a torn last line is expected of a killed run
                    print(f"{shown}:{k}: not JSON")
                    bad += 1
                    continue
                check(value, path, f"{shown}:{k}")
        else:
            check(json.loads(text), path, str(shown))
    print(f"{checked} documents checked against {len(schemas)} schemas, {bad} invalid")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
