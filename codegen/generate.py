"""Generate the SDK skeletons from the specs: `python codegen/generate.py [--out-root DIR]`.

`make codegen` runs it on codegen/config.yaml; `make codegen-check` runs it into a temporary
folder and diffs that against the committed output.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from tidings_codegen.render import generate, load_config


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=Path(__file__).resolve().parent / "config.yaml")
    parser.add_argument("--out-root", type=Path, help="write here instead of the repository root")
    parser.add_argument("--list-outputs", action="store_true", help="print the output folders and exit")
    args = parser.parse_args()
    if args.list_outputs:
        print("\n".join(task.output for task in load_config(args.config).tasks))
        return 0
    written = generate(args.config, args.out_root)
    print(f"codegen: {len(written)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
