"""Generate the SDK skeletons from the specs: `python codegen/generate.py [--out-root DIR]`.

`make codegen` runs it on codegen/config.yaml; `make codegen-check` runs it into a temporary
folder and diffs that against the committed output.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from tidings_codegen.render import generate  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=Path(__file__).resolve().parent / "config.yaml")
    parser.add_argument("--out-root", type=Path, help="write here instead of the repository root")
    args = parser.parse_args()
    written = generate(args.config, args.out_root)
    print(f"codegen: {len(written)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
