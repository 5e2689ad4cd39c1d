"""Mutation run over the kernels' operand checks; docs/mutation.md says what it mutates and how to read it.

Each mutant weakens one check in kernels/*.py.  It is written into a private copy
of the project (never into this checkout), the safety sweep and the kernel tests
that import the mutated module run against that copy, and the mutants no test
kills are reported.  Usage:
    python tools/mutate_checks.py --list
    python tools/mutate_checks.py [--only REGEX] [--jobs 2] [--report results.json]
"""

import argparse
import ast
import concurrent.futures
import io
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter
from pathlib import Path

from mutation_mutants import CHECKS, all_mutants, apply

ROOT = Path(__file__).resolve().parent.parent
SAFETY_GLOB = "tests/test_*safety*.py"  # the table-driven sweep, run for every mutant
RULES = "tests/test_check_rules.py"  # the _checks.py rules the sweep does not reach
SWEEP = "tests/test_kernel_safety.py::test_bad_calls_of_each_module_raise_and_change_nothing"  # [module]


# ---------------------------------------------------------------- which tests run for a mutant


def users_of(root, module):
    """The kernels modules that import `module`, directly or not, and `module` itself."""
    imports = {p.stem: {n.module or a.name for n in ast.walk(ast.parse(p.read_text()))
                        if isinstance(n, ast.ImportFrom) and n.level == 1 for a in n.names}
               for p in (root / "kernels").glob("*.py")}
    users, grew = {module}, True
    while grew:
        more = {m for m, deps in imports.items() if deps & users} - users
        users, grew = users | more, bool(more)
    return users


def sweep_items(root, module):
    """Node-id prefixes of the sweep's items for the modules that can see a mutant of `module`
    (the sweep has one item per kernels module); None: run the whole safety file."""
    sweep = root / SWEEP.split("::")[0]
    if not sweep.exists() or SWEEP.split("::")[1] + "(" not in sweep.read_text():
        return None
    if module == Path(CHECKS).stem:  # every module's item
        return [f"{SWEEP}["]
    return [f"{SWEEP}[{m}]" for m in sorted(users_of(root, module)) if not m.startswith("_")]


def test_files(root, module, mode):
    """The safety sweep, then (in Python mode: compiled, they would take many minutes more) the
    kernel tests that import the module or a kernels module that imports it, directly or not."""
    users = users_of(root, module)
    safety = sorted(str(p.relative_to(root)) for p in root.glob(SAFETY_GLOB))
    rules = [RULES] * (root / RULES).exists()  # they call every Python-level kernel, whatever it imports
    if mode == "jit":  # the direct tests of the checks' rules first: they compile little, and kill early
        return rules + safety
    files = []
    for p in sorted((root / "tests").glob("test_*.py")):
        mods = set()
        for n in ast.walk(ast.parse(p.read_text())):
            if isinstance(n, ast.ImportFrom) and (n.module or "").startswith("fastnn.kernels"):
                mods |= {a.name for a in n.names} if n.module == "fastnn.kernels" else {n.module.split(".")[2]}
            elif isinstance(n, ast.Import):
                mods |= {a.name.split(".")[2] for a in n.names if a.name.startswith("fastnn.kernels.")}
        if mods & users and str(p.relative_to(root)) not in safety:
            files.append(str(p.relative_to(root)))
    return safety + rules + [f for f in files if f not in rules]


# ---------------------------------------------------------------- running them in a copy

SHIM = Path(__file__).resolve().parent / "mutation_shim"  # on PYTHONPATH of the copy's test processes


def prepare(work, jobs, rev=None):
    """One copy of the project per job: the working tree, or commit `rev` of it."""
    copies = [work / f"copy{i}" for i in range(jobs)]
    for c in copies:
        if rev:
            tar = subprocess.run(["git", "-C", str(ROOT), "archive", rev], capture_output=True, check=True).stdout
            with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
                archive.extractall(c, filter="data")
        else:
            shutil.copytree(ROOT, c, ignore=shutil.ignore_patterns(".git", "__pycache__", "*.egg-info",
                                                                   ".pytest_cache", ".benchmarks"))
    return SHIM, copies


def environment(shim, copy, mode, work):
    env = dict(os.environ, MUTATE_ROOT=str(copy), MUTATE_PROBE=str(work / f"probe-{copy.name}"),
               PYTHONDONTWRITEBYTECODE="1",  # a restored file must never meet its mutant's .pyc
               PYTHONPATH=os.pathsep.join([str(shim)] + [p for p in [os.environ.get("PYTHONPATH")] if p]))
    env.pop("NUMBA_DISABLE_JIT", None)
    if mode == "py":
        env["NUMBA_DISABLE_JIT"] = "1"
    else:  # a fresh cache: nothing compiled before this mutant can be loaded
        env["NUMBA_CACHE_DIR"] = tempfile.mkdtemp(prefix="numba-", dir=work)
    return env


def run_tests(mutant, copy, shim, work, mode, files, first, timeout, extra=None):
    """Write the mutant into the copy, run pytest there, restore the file: (status, seconds, note).
    `extra` environment: MUTATE_COVER (record coverage), MUTATE_SELECT and MUTATE_ALWAYS (the tests to run)."""
    target = copy / mutant.path if mutant else None
    original = target.read_text() if mutant else None
    env = dict(environment(shim, copy, mode, work), MUTATE_FIRST=first, **(extra or {}))
    probe = Path(env["MUTATE_PROBE"])
    probe.unlink(missing_ok=True)
    # Plain Python, numpy scalars warn on a float overflow, which pyproject.toml makes an error; compiled never.
    # Plain Python, the sweep's module items take every case of the exhaustive tier (they cost no
    # compiles there), without the exhaustive tier's own items (a process per case).
    quiet = ["-W", "ignore::RuntimeWarning", "--exhaustive", "-m", "not exhaustive"] if mode == "py" else []
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-rfE", "--tb=line", "-p", "no:cacheprovider",
               "-p", "_mutate_order", "-p", "_mutate_cover", *quiet, *files]
    start = time.monotonic()
    try:
        if mutant:
            target.write_text(apply(original, mutant.edits))
        proc = subprocess.Popen(command, cwd=copy, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, start_new_session=True)
        try:
            out = proc.communicate(timeout=timeout)[0]
            status = {0: "survived", 1: "killed"}.get(proc.returncode, "error")
        except subprocess.TimeoutExpired:  # the whole group: the sweep's children too
            os.killpg(proc.pid, signal.SIGKILL)
            out, status = proc.communicate()[0], "timeout"
    finally:
        if mutant:
            target.write_text(original)
        shutil.rmtree(env.get("NUMBA_CACHE_DIR", work / "none"), ignore_errors=True)
    failed = re.search(r"^(?:FAILED|ERROR) (\S+)", out, re.MULTILINE)
    note = failed.group(1) if failed and status == "killed" else out[-2000:] if status in ("error", "timeout") else ""
    seen = probe.read_text().split() if probe.exists() else []
    if mutant and mutant.kind == "loosen" and status == "survived":
        status, note = ("survived", "differed" if "differed" in seen else "never differed") if seen else (
            "absent", "no test call has that axis")
    return status, time.monotonic() - start, note


def reaching_lines(text, mutant):
    """The lines of the innermost statement around the mutant's edits: a test that runs none of them cannot see it."""
    s, e = min(x[0] for x in mutant.edits), max(x[1] for x in mutant.edits)
    first, last = text.count("\n", 0, s) + 1, text.count("\n", 0, max(s, e - 1)) + 1
    around = [n for n in ast.walk(ast.parse(text)) if isinstance(n, ast.stmt)
              and n.lineno <= first and n.end_lineno >= last]
    inner = min(around, key=lambda n: n.end_lineno - n.lineno, default=None)
    return range(inner.lineno, inner.end_lineno + 1) if inner else range(first, last + 1)


def reaching_tests(work, copies):
    """(kernels/file.py, line) -> the test node ids that ran it ("" for run outside a test), from the baseline."""
    from coverage import CoverageData
    reach = {}
    for path in work.glob("coverage-*"):
        data = CoverageData(basename=str(path))
        data.read()
        for measured in data.measured_files():
            copy = next(c for c in copies if measured.startswith(str(c) + os.sep))
            rel = str(Path(measured).relative_to(copy))
            for line, contexts in data.contexts_by_lineno(measured).items():
                reach.setdefault((rel, line), set()).update(contexts)
    return reach


def check_imports(copy, shim, work):
    """Where the copy's test processes, and the processes they start, import fastnn.kernels from."""
    code = ("import subprocess, sys, fastnn.kernels as k; print(k.__file__, flush=True); subprocess.run("
            "[sys.executable, '-c', 'import fastnn.kernels as k; print(k.__file__)'])")
    out = subprocess.run([sys.executable, "-c", code], cwd=copy / "tests", env=environment(shim, copy, "py", work),
                         capture_output=True, text=True, check=False).stdout.split()
    if len(out) != 2 or not all(p.startswith(str(copy)) for p in out):
        sys.exit(f"the copy's tests would not import the copy: {out}")
    return out


# ---------------------------------------------------------------- the run and its report


def allowlist():
    """[(pattern, key, reason)]: the table of harmless survivors in docs/mutation.md (`*` = anything)."""
    doc = ROOT / "docs" / "mutation.md"
    table = doc.read_text().partition("## Allowlist")[2] if doc.exists() else ""
    rows = re.findall(r"^\| `([^`]+)` \| (.+?) \|\s*$", table, re.MULTILINE)
    return [(re.compile(re.escape(k).replace(r"\*", ".*") + "$"), k, r) for k, r in rows]


def shown(m, text):
    """The mutated source lines, on one line."""
    s, e = min(x[0] for x in m.edits), max(x[1] for x in m.edits)
    new = apply(text, m.edits)
    e += len(new) - len(text)
    s, e = new.rfind("\n", 0, s) + 1, (new.find("\n", e) + 1 or len(new) + 1) - 1
    return " ".join(new[s:e].split())[:240]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--list", action="store_true", help="print the mutants and stop")
    ap.add_argument("--only", metavar="REGEX", help="only the mutants whose id matches")
    ap.add_argument("--again", metavar="FILE", help="only the survivors (and errors) of an earlier run: its --report or log")
    ap.add_argument("--jobs", type=int, default=2, help="mutants run at once (default 2)")
    ap.add_argument("--timeout", type=float, default=900, help="seconds per mutant, 3x compiled (default 900)")
    ap.add_argument("--jit", action="store_true", help="run every selected mutant compiled (slow)")
    ap.add_argument("--report", metavar="JSON", help="also write every result here")
    ap.add_argument("--keep", action="store_true", help="keep the work folder (copies, shim)")
    ap.add_argument("--no-select", dest="select", action="store_false",
                    help="run every test of the chosen files, not only those coverage says reach the mutant")
    ap.add_argument("--rev", metavar="COMMIT", help="mutate that commit (git archive) instead of the working tree")
    args = ap.parse_args()
    allowed, began, results, jobs = allowlist(), time.monotonic(), {}, max(1, args.jobs)
    work = Path(tempfile.mkdtemp(prefix="fastnn-mutants-"))
    try:
        shim, copies = prepare(work, 1 if args.list else jobs, args.rev)  # a snapshot: later edits are not seen
        mutants = [m for m in all_mutants(copies[0]) if not args.only or re.search(args.only, m.id)]
        if args.again:  # a --report file, or the printed log of a run
            text = Path(args.again).read_text()
            again = {r["id"] for r in json.loads(text) if r["status"] in ("survived", "error", "timeout")} \
                if text.lstrip().startswith("[") else set(re.findall(r"^\[\d+/\d+\] (?:survived|error|timeout) .* s  (\S+)$",
                                                                    text, re.MULTILINE))
            mutants = [m for m in mutants if m.id in again]
        # --jit: all compiled, but a loosened shape calls the Python probe, which Numba cannot compile
        mutants = [m._replace(mode="jit") if args.jit and m.kind != "loosen" else m for m in mutants]
        if args.list:
            for m in mutants:
                print(f"{m.id}  [{m.mode}]  {m.desc}")
            print(f"{len(mutants)} mutants:", dict(Counter(m.kind for m in mutants)),
                  dict(Counter(m.mode for m in mutants)))
            return 0
        texts = {p: (copies[0] / p).read_text() for p in {m.path for m in mutants}}
        print("tests import the copy:", *check_imports(copies[0], shim, work), flush=True)
        first = {m.id: "" if m.path == CHECKS else Path(m.path).stem for m in mutants}
        chosen = {(p, mode): test_files(copies[0], Path(p).stem, mode) for p, mode in {(m.path, m.mode) for m in mutants}}
        files = {m.id: chosen[m.path, m.mode] for m in mutants}
        slots = queue.Queue()
        for c in copies:
            slots.put(c)

        def baseline(task):  # the unmutated copy must pass what the mutants run; in Python mode, with coverage
            mode, chunk, union = task
            copy = slots.get()
            try:
                cover = {"MUTATE_COVER": str(work / f"coverage-{chunk}")} if mode == "py" and args.select else {}
                return task, run_tests(None, copy, shim, work, mode, union, "", 3 * args.timeout, cover)
            finally:
                slots.put(copy)
        tasks = []
        for mode in sorted({m.mode for m in mutants}):
            union = sorted(dict.fromkeys(f for m in mutants if m.mode == mode for f in files[m.id]),
                           key=lambda f: -(copies[0] / f).stat().st_size)
            chunks = jobs if mode == "py" and args.select else 1  # the longest files spread over the jobs
            tasks += [(mode, i, union[i::chunks]) for i in range(chunks) if union[i::chunks]]
        with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
            for (mode, _, union), (status, secs, note) in pool.map(baseline, tasks):
                print(f"baseline ({mode} mode, {len(union)} test files): "
                      f"{'passed' if status == 'survived' else status} in {secs:.0f} s", flush=True)
                if status != "survived":
                    print(note)
                    return 2
        extra = {}
        if args.select:
            reach = reaching_tests(work, copies)
            safety = sorted(str(p.relative_to(copies[0])) for p in copies[0].glob(SAFETY_GLOB))
            sweeps = {path: sweep_items(copies[0], Path(path).stem) for path in texts}
            for i, m in enumerate(mutants):
                if m.mode != "py":
                    continue
                tests = set().union(*(reach.get((m.path, line), set()) for line in reaching_lines(texts[m.path], m)))
                if "" in tests:  # the lines run outside any test (at import): every test may see the mutant
                    continue
                # of the mutated module's test files (test_files): its kernel tests, not every test that
                # happens to run the line (whole trainings); the sweep items are added below
                tests = {t for t in tests if t.split("::")[0] in files[m.id] and t.split("::")[0] not in safety}
                select = work / "select" / f"{i}.txt"
                select.parent.mkdir(exist_ok=True)
                select.write_text("\n".join(sorted(tests)) + "\n")
                files[m.id] = safety + sorted({t.split("::")[0] for t in tests})
                always = sweeps[m.path] or [s + "::" for s in safety]
                extra[m.id] = {"MUTATE_SELECT": str(select), "MUTATE_ALWAYS": os.pathsep.join(always)}

        def job(m):
            copy = slots.get()
            try:
                timeout = args.timeout * (3 if m.mode == "jit" else 1)  # compiling the sweep: 4-11 min here
                return m, run_tests(m, copy, shim, work, m.mode, files[m.id], first[m.id], timeout, extra.get(m.id))
            finally:
                slots.put(copy)
        # the long ones first (compiled; then _checks.py's, run against every kernel test) for a short tail
        order = sorted(mutants, key=lambda m: (m.mode != "jit", m.path != CHECKS))
        with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
            for n, done in enumerate(concurrent.futures.as_completed([pool.submit(job, m) for m in order]), 1):
                m, (status, secs, note) = done.result()
                key = next((k for p, k, _ in allowed if status == "survived" and p.match(m.key)), None)
                results[m.id] = {"id": m.id, "key": m.key, "kind": m.kind, "mode": m.mode, "note": note,
                                 "status": "allowed" if key else status, "seconds": round(secs, 1), "allowed_by": key,
                                 "mutated": shown(m, texts[m.path])}
                print(f"[{n}/{len(order)}] {results[m.id]['status']:8} {secs:6.1f} s  {m.id}", flush=True)
    finally:
        print("work folder kept:", work) if args.keep else shutil.rmtree(work, ignore_errors=True)
    return report(mutants, results, allowed, time.monotonic() - began, args.report)


def report(mutants, results, allowed, seconds, path):
    statuses = ["killed", "survived", "allowed", "absent", "timeout", "error"]
    print(f"\n{'kind':8} {'mutants':>7} " + " ".join(f"{s:>8}" for s in statuses))
    for kind in sorted({m.kind for m in mutants}) + ["total"]:
        counts = Counter(r["status"] for r in results.values() if kind in ("total", r["kind"]))
        print(f"{kind:8} {sum(counts.values()):7} " + " ".join(f"{counts[s]:8}" for s in statuses))
    print(f"modes: {dict(Counter(r['mode'] for r in results.values()))}; wall time {seconds / 60:.1f} min")
    for title, wanted in (("survivors", "survived"), ("errors and timeouts", ("error", "timeout")),
                          ("allowed survivors (docs/mutation.md)", "allowed"),
                          ("loosened axes that no test call has (not survivors)", "absent")):
        rows = sorted((r for r in results.values() if r["status"] in wanted), key=lambda r: r["id"])
        print(f"\n{title} ({len(rows)}):" if rows else "", end="\n" if rows else "")
        for r in rows:
            print(f"  {r['id']}  [{r['mode']}]{'  (' + r['note'][-300:] + ')' if r['note'] else ''}\n"
                  f"      {r['mutated']}")
    used = {r["allowed_by"] for r in results.values()}
    for p, key, _ in allowed:
        if key not in used and any(p.match(m.key) for m in mutants):
            print(f"note: allowlisted {key} was killed this run: drop it from docs/mutation.md?")
    if path:
        Path(path).write_text(json.dumps(list(results.values()), indent=1))
    return 1 if any(r["status"] in ("survived", "error") for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
