#!/usr/bin/env python3
"""Command line for the Shropshire Social Value Charter site.

    python build.py                 same as `python build.py build`
    python build.py build [--signatories FILE] [--output DIR] [--site-url URL] [--build-date YYYY-MM-DD]
    python build.py check [--signatories FILE]
    python build.py serve
    python build.py add [--id ID --name NAME ... --yes]
    python build.py withdraw ID --date YYYY-MM-DD [--reason TEXT]
    python build.py schema [--check]

Exit codes: 0 success; 1 invalid data or a failed build; 2 wrong usage.
"""

from svcharter.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
