"""A/B: the hub at two commits served **at the same time** on one machine, so both see its speed.

    .venv/bin/python bench/ab.py 731c2a3            # that commit against the working tree
    .venv/bin/python bench/ab.py 731c2a3 HEAD~1 --rounds 3 --connections 16

Sequential runs on this 2-core machine moved ±15% from minute to minute, more than most single
changes are worth.  Here each side gets its own PostgreSQL schema and data directory (same seed),
its own ``sanarip-hub serve --workers 2`` and its own wrk at the same connections, all running
together; every other round the two commits swap homes, and B/A of each round is printed.
Asserts nothing.  The same commit on both sides shows the noise (0.93–1.09 seen here, 4–10 s).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.producer import Server, export_data, lua_script, prepare_home, serving, wrk  # noqa: E402
from tests.conftest import drop_schema  # noqa: E402


def checkout(ref: str, into: Path) -> Path:
    """The tree at ``ref`` ("." for the working tree), with this checkout's virtualenv."""
    if ref == ".":
        return ROOT
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(into), ref], check=True)
    (into / ".venv").symlink_to(ROOT / ".venv")
    return into


def load(rates: dict[str, float], side: str, url: str, args: argparse.Namespace, script: Path) -> None:
    rates[side] = wrk(url, args.connections, args.duration, script)["rps"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", help="commit A (the old one)")
    parser.add_argument("b", nargs="?", default=".", help='commit B ("." = the working tree, the default)')
    parser.add_argument("--rounds", type=int, default=3, help="rounds per order of homes (2 × this in all)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections per side")
    parser.add_argument("--duration", type=int, default=10)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-ab-"))
    trees = {"A": checkout(args.a, work / "tree-a"), "B": checkout(args.b, work / "tree-b")}
    homes = [
        prepare_home("postgresql", work / f"home-{i}", 3000, f"bench_ab_{os.getpid()}_{i}") for i in (0, 1)
    ]
    pins = export_data(homes[0], work / "households.json", 500)
    script = work / "requests.lua"
    lua_script(script, pins[:200])
    print(f"A = {args.a}, B = {args.b}; wrk c={args.connections} per side, {args.duration} s", flush=True)
    try:
        for round_ in range(args.rounds * 2):
            swapped = round_ % 2 == 1
            sides = {"A": homes[1 if swapped else 0], "B": homes[0 if swapped else 1]}
            with ExitStack() as stack:
                urls = {}
                for side, env in sides.items():
                    command = [str(trees[side] / ".venv/bin/python"), "-m", "sanarip_hub", "serve"]
                    server = Server(side, [*command, "--port", "{port}", "--workers", "2"], env, trees[side])
                    urls[side] = stack.enter_context(
                        serving(server, work / f"server-{side}.log", pins[0], script)
                    )
                rates: dict[str, float] = {}
                threads = [
                    threading.Thread(target=load, args=(rates, side, url, args, script))
                    for side, url in urls.items()
                ]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
            print(
                f"round {round_ + 1}{' (homes swapped)' if swapped else ''}: "
                f"A {rates['A']:,.0f}  B {rates['B']:,.0f}  B/A {rates['B'] / rates['A']:.3f}",
                flush=True,
            )
    finally:
        for env in homes:
            drop_schema(env["SANARIP_HUB_DATABASE_SCHEMA"])
        for tree in trees.values():
            if tree != ROOT:
                subprocess.run(
                    ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False
                )
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
