"""Speed benchmarks: the editor and the CLI against floors measured in the same run.

    .venv/bin/python benchmarks/run.py [--quick | --smoke] [--reps N] [--json PATH] [--xvfb]

Each row runs ours and its floor alternately (ours first on even repetitions, the floor
first on odd ones), so a machine that slows down for a while slows both; the table
shows medians and their ratio. Whole processes are timed where a user would notice
(starting the editor, opening a file, the CLI), in-process where a user would not (a
keystroke). Nothing here asserts a time: the table and the JSON are the result.

--quick takes fewer repetitions; --smoke is a minute-long check that every row runs (a
10-payload profile, one repetition). The 1000-payload profile is generated into a
temporary folder by benchmarks/profiles.py (deterministic, about 4 MB of XML).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

import profiles  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "vpn-profiles"
DEFAULT_JSON = HERE / "results.json"
MIB = 1024 * 1024

LOAD_ONE = "import plistlib, sys\nwith open(sys.argv[1], 'rb') as f:\n    plistlib.load(f)\n"
LOAD_ALL = (
    "import plistlib, sys\n"
    "for name in sys.argv[1:]:\n"
    "    try:\n"
    "        with open(name, 'rb') as f:\n"
    "            plistlib.load(f)\n"
    "    except Exception:\n"
    "        pass\n"
)


@dataclass
class Row:
    key: str
    what: str
    floor_what: str
    goal: str
    unit: str = "ms"
    ours: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    limit_ratio: float | None = None
    limit_ours: float | None = None  # an absolute bound on ours (keystroke: 16 ms)
    limit_extra: float | None = None  # a bound on ours - floor (memory: 100 MiB)
    note: str = ""
    skipped: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def median(self, values: list[float]) -> float | None:
        return statistics.median(values) if values else None

    def result(self) -> dict[str, Any]:
        ours, floor = self.median(self.ours), self.median(self.floor)
        ratio = ours / floor if ours is not None and floor else None
        met: bool | None = None
        limits = (self.limit_ratio, self.limit_ours, self.limit_extra)
        if (
            not self.skipped
            and ours is not None
            and floor is not None
            and any(limit is not None for limit in limits)
        ):
            met = True
            if self.limit_ratio is not None and ratio is not None:
                met = met and ratio <= self.limit_ratio
            if self.limit_ours is not None:
                met = met and ours <= self.limit_ours
            if self.limit_extra is not None:
                met = met and ours - floor <= self.limit_extra
        return {
            "key": self.key,
            "what": self.what,
            "floor": self.floor_what,
            "unit": self.unit,
            "ours_median": ours,
            "floor_median": floor,
            "ratio": ratio,
            "difference": ours - floor if ours is not None and floor is not None else None,
            "goal": self.goal,
            "met": met,
            "samples": {"ours": self.ours, "floor": self.floor},
            "note": self.note,
            "skipped": self.skipped,
            **self.extra,
        }


# --- environment ------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = mhz = ""
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name") and not cpu:
                cpu = line.split(":", 1)[1].strip()
            elif line.startswith("cpu MHz") and not mhz:
                mhz = line.split(":", 1)[1].strip()
    try:
        import PySide6

        pyside = PySide6.__version__
    except ImportError:
        pyside = "not installed"
    load = ""
    with contextlib.suppress(OSError):
        load = Path("/proc/loadavg").read_text(encoding="ascii").split(" ", 3)[:3]
    memory = ""
    with contextlib.suppress(OSError), open("/proc/meminfo", encoding="ascii") as info:
        memory = f"{int(info.readline().split()[1]) // 1024} MiB"
    return {
        "cpu": cpu or platform.processor(),
        "cpu_mhz": mhz,
        "cores": os.cpu_count(),
        "memory": memory,
        "python": platform.python_version(),
        "pyside6": pyside,
        "system": platform.platform(),
        "load_average": load,
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }


def tool(name: str) -> list[str]:
    """A command of this virtual environment, or `python -m` for it."""
    script = Path(sys.executable).parent / name
    if script.exists():
        return [str(script)]
    module = {"vpn-profile": "editor.cli", "vpn-profile-editor": "editor.app.application"}[name]
    return [sys.executable, "-m", module]


@contextlib.contextmanager
def xvfb_display() -> Iterator[str]:
    server = shutil.which("Xvfb")
    if server is None:
        raise SystemExit("--xvfb: Xvfb is not installed")
    for number in range(90, 120):
        if Path(f"/tmp/.X{number}-lock").exists():
            continue
        process = subprocess.Popen(
            [server, f":{number}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(50):
            if Path(f"/tmp/.X11-unix/X{number}").exists():
                break
            time.sleep(0.05)
        if process.poll() is None:
            try:
                yield f":{number}"
            finally:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=10)
            return
    raise SystemExit("--xvfb: no free display number")


def child_environment(workdir: Path, display: str | None) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("config", "data", "runtime", "cache"):
        folder = workdir / f"xdg-{name}"
        folder.mkdir(mode=0o700, exist_ok=True)
    env["XDG_CONFIG_HOME"] = str(workdir / "xdg-config")  # settings, recent files
    env["XDG_DATA_HOME"] = str(workdir / "xdg-data")  # recovery copies
    env["XDG_RUNTIME_DIR"] = str(workdir / "xdg-runtime")  # the single-instance socket
    # the checked schema, kept from the warm-up run on, as from a user's first start on
    env["XDG_CACHE_HOME"] = str(workdir / "xdg-cache")
    env["LANG"] = env.get("LANG") or "C.UTF-8"
    # Compiled bytecode is cached, as on a user's machine (pip compiles on install), but in
    # a folder of this run, not beside the sources.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(workdir / "pycache")
    if display is None:
        env["QT_QPA_PLATFORM"] = "offscreen"
    else:
        env["QT_QPA_PLATFORM"] = "xcb"
        env["DISPLAY"] = display
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    return env


# --- measuring ----------------------------------------------------------------------------


def alternate(reps: int, ours: Callable[[], float], floor: Callable[[], float], row: Row) -> None:
    for rep in range(reps):
        pair = ((ours, row.ours), (floor, row.floor))
        for run, into in pair if rep % 2 == 0 else reversed(pair):
            into.append(run())


def timed_process(command: list[str], env: dict[str, str], ok: tuple[int, ...] = (0,)) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=600
    )
    elapsed = time.perf_counter() - start
    if done.returncode not in ok:
        raise SystemExit(
            f"{' '.join(command[:4])}…: exit status {done.returncode}\n"
            + done.stderr.decode(errors="replace")[-2000:]
        )
    return elapsed


@dataclass
class WindowRun:
    shown: float  # seconds from spawn to the first exposed window
    ready: float  # seconds from spawn until the problems are known (editor only)
    rss: int  # KiB at ready (or shown)
    hwm: int


def window_process(command: list[str], env: dict[str, str]) -> WindowRun:
    """Spawn a window program that prints `shown|ready EPOCH rss=KIB hwm=KIB` lines."""
    env = {**env, "VPN_EDITOR_EXIT_WHEN_SHOWN": "1"}
    start = time.time()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    marks: dict[str, tuple[float, int, int]] = {}
    try:
        out, _ = process.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        process.kill()
        raise SystemExit(f"{' '.join(command)}: no window within 300 s") from None
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[0] in ("shown", "ready"):
            rss = int(parts[2].removeprefix("rss="))
            hwm = int(parts[3].removeprefix("hwm="))
            marks[parts[0]] = (float(parts[1]), rss, hwm)
    if "shown" not in marks:
        raise SystemExit(f"{' '.join(command)}: printed no 'shown' line:\n{out[-2000:]}")
    shown = marks["shown"][0] - start
    last = marks.get("ready", marks["shown"])
    return WindowRun(shown, last[0] - start, last[1], last[2])


def keystroke_run(path: Path, payload: int, keys: int, env: dict[str, str]) -> dict[str, Any]:
    command = [
        sys.executable,
        str(HERE / "keystroke.py"),
        str(path),
        "--payload",
        str(payload),
        "--keys",
        str(keys),
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"keystroke.py {path.name}: {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# --- the rows -------------------------------------------------------------------------------


def make_identity(workdir: Path) -> tuple[Path, Path] | None:
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    key, cert = workdir / "signer.key.pem", workdir / "signer.cert.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            "/CN=Benchmark Signer",
            "-days",
            "30",
        ],
        check=True,
        capture_output=True,
    )
    return key, cert


def run_rows(args: argparse.Namespace, workdir: Path, env: dict[str, str]) -> list[Row]:
    reps = args.reps
    big = profiles.write_profile(workdir, args.payloads)
    small = profiles.write_profile(workdir, 1)
    big_payload = 2 + args.payloads // 2  # a VPN payload in the middle (2 certificates first)
    editor = tool("vpn-profile-editor")
    cli = tool("vpn-profile")
    bare = [sys.executable, str(HERE / "bare_window.py")]
    rows: list[Row] = []
    wanted = set(args.rows.split(",")) if args.rows else None

    def want(key: str) -> bool:
        return wanted is None or key in wanted

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    # warm the file cache and the .pyc files once; not timed
    say("warming up…")
    window_process(editor, env)
    window_process([*bare, "--load", str(big)], env)
    timed_process([*cli, "validate", str(big)], env, ok=(0, 1))

    size = f"{big.stat().st_size / MIB:.1f} MiB"
    start_row = Row(
        "start",
        "start to first window shown",
        "bare PySide6 window (tree view and small form)",
        "≤ 1.3×",
        limit_ratio=1.3,
    )
    open_row = Row(
        "open",
        f"open, validate and show a {args.payloads}-payload profile ({size} XML)",
        "plistlib.load of the same file + the bare window",
        "≤ 1.5×",
        limit_ratio=1.5,
        note="ours: until the window is shown and every problem is known",
    )
    memory_row = Row(
        "memory",
        f"memory (RSS) with the {args.payloads}-payload profile open",
        "the bare window",
        "≤ +100 MiB",
        unit="MiB",
        limit_extra=100.0,
    )
    bare_rss: list[float] = []
    if want("start") or want("memory"):
        say("start…")

        def ours_start() -> float:
            return window_process(editor, env).shown * 1000

        def floor_start() -> float:
            run = window_process(bare, env)
            bare_rss.append(run.rss / 1024)
            return run.shown * 1000

        alternate(reps, ours_start, floor_start, start_row)
        if want("start"):
            rows.append(start_row)
    if want("open") or want("memory"):
        say("open…")
        shown_times: list[float] = []
        peaks: list[float] = []

        def ours_open() -> float:
            run = window_process([*editor, str(big)], env)
            memory_row.ours.append(run.rss / 1024)
            peaks.append(run.hwm / 1024)
            shown_times.append(run.shown * 1000)
            return run.ready * 1000

        def floor_open() -> float:
            return window_process([*bare, "--load", str(big)], env).shown * 1000

        alternate(reps, ours_open, floor_open, open_row)
        open_row.extra["ours_first_window_ms"] = statistics.median(shown_times)
        memory_row.extra["ours_peak_mib"] = statistics.median(peaks)
        if want("open"):
            rows.append(open_row)
        if want("memory"):
            memory_row.floor = bare_rss or [
                window_process(bare, env).rss / 1024 for _ in range(max(1, reps // 2))
            ]
            rows.append(memory_row)
    if want("keystroke"):
        say("keystroke…")
        row = Row(
            "keystroke",
            f"a keystroke until its inline problem and the panel show ({args.payloads} payloads)",
            "the same in a 1-payload profile",
            "≤ 1.2× and < 16 ms",
            limit_ratio=1.2,
            limit_ours=16.0,
            note="in-process, QTest key clicks, median per keystroke",
        )
        deferred: dict[str, list[float]] = {"ours": [], "floor": []}
        worst: list[float] = []

        def ours_key() -> float:
            result = keystroke_run(big, big_payload, args.keys, env)
            deferred["ours"].append(result["deferred_median"] * 1000)
            worst.append(result["max"] * 1000)
            return float(result["median"]) * 1000

        def floor_key() -> float:
            result = keystroke_run(small, 2, args.keys, env)
            deferred["floor"].append(result["deferred_median"] * 1000)
            return float(result["median"]) * 1000

        alternate(max(1, reps // 2), ours_key, floor_key, row)
        row.extra["ours_slowest_keystroke_ms"] = max(worst)
        rows.append(row)
        later = Row(
            "profile-level",
            "the deferred profile-level re-check once typing pauses (info)",
            "the same in a 1-payload profile",
            "—",
            ours=deferred["ours"],
            floor=deferred["floor"],
            note="runs 150 ms after the last keystroke, not on the keystroke",
        )
        rows.append(later)
    if want("validate"):
        say("validate…")
        row = Row(
            "validate",
            f"`vpn-profile validate` of the {args.payloads}-payload profile (process)",
            "a Python process that only runs plistlib.load on it",
            "≤ 1.5×",
            limit_ratio=1.5,
        )
        alternate(
            reps,
            lambda: timed_process([*cli, "validate", str(big)], env, ok=(0, 1)) * 1000,
            lambda: timed_process([sys.executable, "-c", LOAD_ONE, str(big)], env) * 1000,
            row,
        )
        rows.append(row)
    if want("binary-read") or want("binary-write"):
        import plistlib

        from editor.core.plistio import parse_plist_bytes, serialize_plist

        root = profiles.build_profile(args.payloads)
        binary = plistlib.dumps(root, fmt=plistlib.FMT_BINARY, sort_keys=False)

        def in_process(work: Callable[[], object]) -> Callable[[], float]:
            def timed() -> float:
                start = time.perf_counter()
                work()
                return (time.perf_counter() - start) * 1000

            return timed

        if want("binary-read"):
            say("binary read…")
            row = Row(
                "binary-read",
                f"reading the {args.payloads}-payload profile as a binary plist (in process)",
                "plistlib.loads of the same bytes",
                "≤ 1.2×",
                limit_ratio=1.2,
            )
            alternate(
                reps * 3,
                in_process(lambda: parse_plist_bytes(binary)),
                in_process(lambda: plistlib.loads(binary)),
                row,
            )
            rows.append(row)
        if want("binary-write"):
            say("binary write…")
            row = Row(
                "binary-write",
                f"writing the {args.payloads}-payload profile as a binary plist (in process)",
                "plistlib.dumps of the same tree",
                "≤ 1.2×",
                limit_ratio=1.2,
            )
            alternate(
                reps * 3,
                in_process(lambda: serialize_plist(root, "binary")),
                in_process(
                    lambda: plistlib.dumps(root, fmt=plistlib.FMT_BINARY, sort_keys=False)
                ),
                row,
            )
            rows.append(row)
    if want("corpus"):
        files = sorted(CORPUS.glob("*.mobileconfig")) if CORPUS.is_dir() else []
        row = Row(
            "corpus",
            f"`vpn-profile validate` of the {len(files) or 32} corpus files (process)",
            "a Python process that only loads them",
            "≤ 2.0×",
            limit_ratio=2.0,
        )
        if not files:
            row.skipped = f"the corpus ({CORPUS}) is not present"
        else:
            say("corpus…")
            names = [str(f) for f in files]
            alternate(
                reps,
                lambda: timed_process([*cli, "validate", *names], env, ok=(0, 1, 2)) * 1000,
                lambda: timed_process([sys.executable, "-c", LOAD_ALL, *names], env) * 1000,
                row,
            )
        rows.append(row)
    if want("sign"):
        row = Row(
            "sign",
            f"`vpn-profile sign` of the {args.payloads}-payload profile (process)",
            "`openssl cms -sign` on the same file",
            "≤ 1.5×",
            limit_ratio=1.5,
        )
        inside = Row(
            "sign-in-process",
            "signing in the editor's process (sign_profile on the saved bytes)",
            "`openssl cms -sign` on the same file (process)",
            "≤ 1.5×",
            limit_ratio=1.5,
            note="identity already loaded; what an export in the open editor waits for",
        )
        identity = make_identity(workdir)
        if identity is None:
            row.skipped = inside.skipped = "openssl is not installed"
        else:
            say("sign…")
            key, cert = identity
            out_ours, out_openssl = workdir / "signed-ours.der", workdir / "signed-openssl.der"
            openssl = [
                str(shutil.which("openssl")),
                "cms",
                "-sign",
                "-binary",
                "-nodetach",
                "-outform",
                "DER",
                "-md",
                "sha256",
                "-in",
                str(big),
                "-out",
                str(out_openssl),
                "-signer",
                str(cert),
                "-inkey",
                str(key),
            ]
            sign = [*cli, "sign", str(big), str(out_ours), "--key", str(key), "--cert", str(cert)]
            alternate(
                reps,
                lambda: timed_process(sign, env) * 1000,
                lambda: timed_process(openssl, env) * 1000,
                row,
            )
            from editor.core.signing import load_pem_identity, sign_profile

            loaded = load_pem_identity(key, cert)
            content = big.read_bytes()
            sign_profile(content, loaded)  # imports, once

            def in_process() -> float:
                start = time.perf_counter()
                sign_profile(content, loaded)
                return (time.perf_counter() - start) * 1000

            alternate(reps, in_process, lambda: timed_process(openssl, env) * 1000, inside)
        rows.extend([row, inside])
    if want("session"):
        say("session…")
        rounds = 2 if args.smoke else 40
        row = Row(
            "session",
            f"memory after {rounds} rounds of open, 20 clicks in the tree, 20 keystrokes, "
            "undo, close (1-payload profile; info)",
            "the same process after 5 warm-up rounds",
            "—",
            unit="MiB",
            note="in-process, the editor's application object; growth is memory not given back",
        )
        command = [sys.executable, str(HERE / "session.py"), str(small), "--payload", "2"]
        done = subprocess.run(
            [*command, "--rounds", str(rounds)], env=env, capture_output=True, text=True,
            timeout=900,
        )  # fmt: skip
        if done.returncode != 0:
            raise SystemExit(f"session.py: {done.stderr[-2000:]}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        row.ours.append(result["rss_end_kib"] / 1024)
        row.floor.append(result["rss_warm_kib"] / 1024)
        rows.append(row)
    return rows


# --- output -------------------------------------------------------------------------------


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "MiB":
        return f"{value:.0f} MiB"
    return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| what | ours | floor | ratio | goal | met? |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        if r["skipped"]:
            lines.append(f"| {r['what']} | — | — | — | {r['goal']} | skipped: {r['skipped']} |")
            continue
        if r["unit"] == "MiB":
            ratio = f"+{r['difference']:.0f} MiB" if r["difference"] is not None else "—"
        else:
            ratio = f"{r['ratio']:.2f}×" if r["ratio"] is not None else "—"
        met = {True: "yes", False: "**no**", None: "—"}[r["met"]]
        lines.append(
            f"| {r['what']} | {fmt(r['ours_median'], r['unit'])} | "
            f"{fmt(r['floor_median'], r['unit'])} | {ratio} | {r['goal']} | {met} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, help="repetitions per row (default 10)")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (5)")
    parser.add_argument(
        "--smoke", action="store_true", help="check that every row runs: 10 payloads, 1 rep"
    )
    parser.add_argument("--payloads", type=int, help="VPN payloads in the large profile")
    parser.add_argument("--keys", type=int, help="keystrokes per keystroke run (default 24)")
    parser.add_argument("--rows", help="comma-separated subset: start,open,memory,keystroke,…")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write JSON")
    parser.add_argument("--xvfb", action="store_true", help="show windows on an Xvfb server")
    args = parser.parse_args(argv)
    if args.smoke:
        args.reps = args.reps or 1
        args.payloads = args.payloads or 10
        args.keys = args.keys or 4
    args.reps = args.reps or (5 if args.quick else 10)
    args.payloads = args.payloads or 1000
    args.keys = args.keys or 24
    before = machine()
    with tempfile.TemporaryDirectory(prefix="vpn-bench-") as temp:
        workdir = Path(temp)
        with contextlib.ExitStack() as stack:
            display = stack.enter_context(xvfb_display()) if args.xvfb else None
            env = child_environment(workdir, display)
            rows = run_rows(args, workdir, env)
    results = [row.result() for row in rows]
    document = {
        "machine": before,
        "load_average_after": machine()["load_average"],
        "platform": "xcb (Xvfb)" if args.xvfb else "offscreen",
        "repetitions": args.reps,
        "payloads": args.payloads,
        "rows": results,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(table(results))
    print(f"\n(JSON: {args.json})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
