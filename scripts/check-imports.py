#!/usr/bin/env python3
"""Fails when a module imports, or declares as a dependency, one that DESIGN.md's graph does not let it reach.

Two checks, for every target in Package.swift (read with `swift package dump-package`):
1. each `import X` in its sources names a declared dependency (or a system module), and
2. each declared dependency is reachable from the target in DESIGN.md's dependency graph below.
Test targets only need check 1.
"""
import json
import os
import re
import subprocess
import sys

# DESIGN.md, section Layout: the one-way dependency graph.
DESIGN = {
    "smtp-connector": ["Console", "StandardConnectors", "DevServer"],
    "Console": ["StandardConnectors", "DevServer"],
    "StandardConnectors": ["SMTPConnector", "Presets", "HTTPConnectors"],
    "HTTPConnectors": ["ConnectorKit", "MIME", "CryptoSupport", "HTTPSupport", "NetworkIO"],
    "HTTPSupport": ["Locking"],
    "SMTPConnector": ["SMTP", "DKIM", "MIME", "ConnectorKit", "CryptoSupport", "HTTPSupport"],
    "SMTP": ["SMTPWire", "NetworkIO"],
    "DevServer": ["SMTPWire", "NetworkIO", "MIME"],
    "SMTPWire": ["CryptoSupport"],
    "DKIM": ["CryptoSupport", "MIME"],
    "NetworkIO": ["COpenSSL", "CryptoSupport", "Locking"],
    "CryptoSupport": ["COpenSSL"],
    "Presets": ["ConnectorKit", "Gmail", "SendGrid", "AliyunDirectMail", "Catalog"],
    "Gmail": ["ConnectorKit"], "SendGrid": ["ConnectorKit"], "AliyunDirectMail": ["ConnectorKit"], "Catalog": ["ConnectorKit"],
    "ConnectorKit": ["Locking"], "MIME": [], "COpenSSL": [], "Locking": [],
    "mime-benchmark": ["MIME"],
    "TestSupport": ["DevServer", "ConnectorKit", "Locking"],  # tests only: helpers around the DevServer, an event recorder
    # tests only: the fuzz checks reach into every module they fuzz, and the libFuzzer binary runs them
    "FuzzChecks": ["SMTPWire", "SMTP", "NetworkIO", "ConnectorKit", "StandardConnectors", "MIME", "DevServer", "Console"],
    "smtp-fuzz": ["FuzzChecks"],
    "smtp-soak": ["SMTP", "NetworkIO", "Locking"],  # tests only: the fault soak
}
SYSTEM = {"Foundation", "FoundationNetworking", "FoundationEssentials", "Glibc", "Dispatch", "Synchronization", "Testing",
          "XCTest", "_Concurrency"}


def reachable(target):
    seen, stack = set(), list(DESIGN.get(target, []))
    while stack:
        name = stack.pop()
        if name not in seen:
            seen.add(name)
            stack.extend(DESIGN.get(name, []))
    return seen


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    package = json.loads(subprocess.run(["swift", "package", "dump-package"], cwd=root, check=True,
                                        capture_output=True, text=True).stdout)
    problems = []
    for target in package["targets"]:
        name, kind = target["name"], target["type"]
        if kind == "system":
            continue
        declared = set()
        for dependency in target.get("dependencies", []):
            for key in ("byName", "target", "product"):
                if key in dependency:
                    # An executable target's module name has "_" where its name has "-" (smtp-connector).
                    declared.add(dependency[key][0].replace("-", "_"))
        if kind != "test":
            if name not in DESIGN:
                problems.append(f"{name}: not in DESIGN.md's graph; add it there (and here) first")
                continue
            for dependency in sorted(declared - reachable(name)):
                problems.append(f"{name}: depends on {dependency}, which DESIGN.md's graph does not let it reach")
        default = ("Tests/" if kind == "test" else "Sources/") + name
        path = os.path.join(root, target.get("path") or default)
        for directory, _, files in os.walk(path):
            for file in files:
                if not file.endswith(".swift"):
                    continue
                with open(os.path.join(directory, file), encoding="utf-8") as handle:
                    for number, line in enumerate(handle, 1):
                        match = re.match(r"(?:@testable\s+|@_exported\s+)?import\s+(?:struct\s+|enum\s+|class\s+)?(\w+)", line)
                        if match and match.group(1) not in SYSTEM and match.group(1) not in declared:
                            where = os.path.relpath(os.path.join(directory, file), root)
                            problems.append(f"{where}:{number}: imports {match.group(1)}, not a declared dependency of {name}")
    for problem in problems:
        print(f"check-imports: {problem}", file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"check-imports: {len(package['targets'])} targets follow DESIGN.md's module graph")


if __name__ == "__main__":
    main()
