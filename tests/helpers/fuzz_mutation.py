"""Byte mutations of real profiles, run in a child process by test_fuzz.py.

Each case damages one seed file (bit flips, truncation, inserted or repeated bytes,
overwritten runs), then reads it as the editor does and, when it looks signed, checks
its signature. A case passes when every failure is one of the documented errors
(ProfileReadError, SigningError), nothing takes longer than the time limit, and no
damaged file whose signed content differs from the seed's is reported as correctly
signed. The summary is one JSON object on standard output; failing inputs are written
to the folder given with --keep, to become regression files.

    python tests/helpers/fuzz_mutation.py --cases N --seed S [--keep DIR] SEED_FILE...
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import random
import sys
import time
import traceback
from pathlib import Path
from typing import Any

SLOW_SECONDS = 2.0


def mutate(data: bytes, rng: random.Random) -> bytes:
    damaged = bytearray(data)
    for _ in range(rng.choice((1, 1, 1, 2, 3, 8))):
        kind = rng.randrange(6)
        at = rng.randrange(len(damaged)) if damaged else 0
        if kind == 0 and damaged:  # one bit
            damaged[at] ^= 1 << rng.randrange(8)
        elif kind == 1 and damaged:  # one byte, often a boundary value
            damaged[at] = rng.choice((0x00, 0x01, 0x7F, 0x80, 0xFF, rng.randrange(256)))
        elif kind == 2:  # cut the end
            del damaged[rng.randrange(len(damaged) + 1) :]
        elif kind == 3:  # insert bytes
            damaged[at:at] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 9)))
        elif kind == 4 and damaged:  # repeat a run
            end = min(len(damaged), at + rng.randrange(1, 64))
            damaged[at:at] = damaged[at:end]
        elif damaged:  # overwrite a run
            end = min(len(damaged), at + rng.randrange(1, 16))
            damaged[at:end] = bytes(rng.randrange(256) for _ in range(end - at))
    return bytes(damaged)


def signed_content(data: bytes) -> bytes | None:
    """The content a seed signs (None for an unsigned seed)."""
    from editor.core.cms import looks_like_cms, unwrap_signed

    if not looks_like_cms(data):
        return None
    return unwrap_signed(data)[0]


def check(data: bytes, originals: set[bytes]) -> str | None:
    """None when the editor handles the input as documented, else what went wrong."""
    from editor.core.cms import looks_like_cms
    from editor.core.plistio import ProfileReadError, parse_plist_bytes
    from editor.core.signing import SigningError, verify_profile

    with contextlib.suppress(ProfileReadError):
        parse_plist_bytes(data, "fuzz")
    if looks_like_cms(data):
        try:
            result = verify_profile(data)
        except SigningError:
            return None
        if result.digest_ok and result.signature_ok and result.content not in originals:
            return "altered content verified"
        result.as_json("fuzz")  # the report must be writable too
    return None


def run(cases: int, seed: int, seeds: list[Path], keep: Path | None) -> dict[str, Any]:
    rng = random.Random(seed)
    blobs = [path.read_bytes() for path in seeds]
    originals = {content for content in map(signed_content, blobs) if content is not None}
    failures: list[dict[str, Any]] = []
    slowest = 0.0
    for case in range(cases):
        index = rng.randrange(len(blobs))
        data = mutate(blobs[index], rng)
        start = time.perf_counter()
        try:
            problem = check(data, originals)
        except Exception as exc:  # the point of the test: nothing undocumented escapes
            problem = f"{type(exc).__name__}: {exc} | " + " / ".join(
                line.strip() for line in traceback.format_exc().splitlines()[-4:-1]
            )
        elapsed = time.perf_counter() - start
        slowest = max(slowest, elapsed)
        if problem is None and elapsed > SLOW_SECONDS:
            problem = f"took {elapsed:.1f} s"
        if problem is not None:
            name = hashlib.sha256(data).hexdigest()[:16]
            failures.append({"case": case, "seed": seeds[index].name, "problem": problem,
                             "input": name})
            if keep is not None:
                keep.mkdir(parents=True, exist_ok=True)
                (keep / f"{name}.bin").write_bytes(data)
    return {"cases": cases, "failures": failures, "slowest": round(slowest, 3)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path)
    parser.add_argument("seeds", nargs="+", type=Path)
    args = parser.parse_args()
    json.dump(run(args.cases, args.seed, args.seeds, args.keep), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
