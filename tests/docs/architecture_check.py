#!/usr/bin/env python3
"""Checks that docs/architecture.md matches the tree it describes.

- every path it names in backticks (a name with a folder, or a file name with an extension this
  project uses) exists: a path with a folder relative to the project root, docs/ or a folder the
  page names; a bare file name somewhere in the tree;
- every service folder (services/<name>/ with a main.cc) is named;
- every migration (storage/migrations/NNNN_name.sql) is named;
- every top-level source folder (one with a CMakeLists.txt) is named.

Usage: architecture_check.py ROOT. Prints each mismatch; exits 1 if there is any.
"""
import os
import pathlib
import re
import sys

EXTENSIONS = (".cc", ".h", ".sql", ".sh", ".md", ".proto", ".cmake", ".py", ".txt")


def main() -> int:
    root = pathlib.Path(sys.argv[1]).resolve()
    page = (root / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([^`\s]+)`", page))
    problems = []

    tree_names = set()
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [d for d in subfolders if not d.startswith(("build", "."))]
        tree_names.update(files)

    folders = {n.rstrip("/") for n in named if "/" in n and not n.endswith(EXTENSIONS)}
    for name in sorted(named):
        candidate = name.rstrip("/")
        looks_like_path = candidate.endswith(EXTENSIONS) or (
            "/" in candidate and re.fullmatch(r"[A-Za-z0-9_./-]+", candidate) is not None
        )
        if not looks_like_path or candidate.startswith(("http", "/", "-")) or "*" in candidate:
            continue
        if "NNNN" in candidate or "<" in candidate:
            continue
        if "/" not in candidate:
            if candidate not in tree_names:
                problems.append(f"names `{name}`, which does not exist")
            continue
        bases = [root, root / "docs"] + [root / f for f in folders]
        if not any((base / candidate).exists() for base in bases):
            problems.append(f"names `{name}`, which does not exist")

    for service in sorted((root / "services").iterdir()):
        if (service / "main.cc").exists():
            rel = f"services/{service.name}"
            if rel not in named and f"{rel}/" not in named:
                problems.append(f"does not name the service folder `{rel}`")
    for migration in sorted((root / "storage" / "migrations").glob("*.sql")):
        if migration.name not in named and f"storage/migrations/{migration.name}" not in named:
            problems.append(f"does not name the migration `{migration.name}`")
    for folder in sorted(root.iterdir()):
        if (folder / "CMakeLists.txt").exists() and folder.name not in ("tests",):
            if folder.name not in named and f"{folder.name}/" not in named:
                problems.append(f"does not name the folder `{folder.name}/`")

    for problem in problems:
        print(f"docs/architecture.md {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
