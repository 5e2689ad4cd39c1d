"""The mutants of tools/mutate_checks.py: each weakens one operand check of kernels/*.py (docs/mutation.md)."""

import ast
import re
from collections import Counter, namedtuple

CHECK_CALL = re.compile(r"^_?check")  # check_shape, _check_forward, check_loss_forward_call, ...
NOT_CHECKS = re.compile(r"__init__|_config|_cache_")  # package set-up and Numba's cache: no operand checks
MAX_AXES = 3  # kernel operands have at most 3 axes; an axis no call has is found at run time
PROBE = '__import__("_mutate_probe").loosen'
CHECKS = "kernels/_checks.py"
# _checks.py functions that only compiled code reaches: in_python gives the Python wrappers these
# in place of the jitted helpers; as plain Python (NUMBA_DISABLE_JIT) the helpers are used as they are.
# The intrinsics' code generation runs only when a kernel is compiled.
COMPILED_ONLY = {"in_python", "_span_ir", "_span_compiled", "_spans_compiled"}

Mutant = namedtuple("Mutant", "id key path line kind mode edits desc")



def callee(node):
    f = node.func if isinstance(node, ast.Call) else node
    if isinstance(f, ast.Call) and f.args:  # in_python(_check_forward)(...): the wrapped check
        return callee(f.args[0])
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


class Source:
    """A kernels/*.py file: text, AST, and character offsets of AST positions (which count UTF-8 bytes)."""

    def __init__(self, root, rel):
        self.text = (root / rel).read_text()
        self.lines = self.text.splitlines(keepends=True)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))
        self.tree = ast.parse(self.text)

    def span(self, node):
        off = lambda n, col: self.starts[n - 1] + len(self.lines[n - 1].encode()[:col].decode())
        return off(node.lineno, node.col_offset), off(node.end_lineno, node.end_col_offset)

    def seg(self, node):
        return self.text[slice(*self.span(node))]

    def nodes(self):
        """(node, enclosing function's dotted name, inside an @overload, that function) in source order."""
        found = []

        def visit(node, func, jit, fdef):
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.FunctionDef):
                    over = any(callee(d) == "overload" for d in child.decorator_list)
                    visit(child, f"{func}.{child.name}" if func else child.name, jit or over, child)
                    continue
                if hasattr(child, "lineno"):
                    found.append((child, func or "<module>", jit, fdef))
                visit(child, func, jit, fdef)
        visit(self.tree, "", False, self.tree)
        return sorted(found, key=lambda t: (t[0].lineno, t[0].col_offset))


def apply(text, edits):
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def names_in(call):
    """The operands a check call names (a string literal followed by the variable it names), for ids."""
    return ",".join(a.value for a, b in zip(call.args, call.args[1:]) if isinstance(a, ast.Constant)
                    and isinstance(b, ast.Name) and a.value == b.id)


def shape_helpers(tree):
    """Functions that pass a parameter to check_shape as another's expected shape: name -> (array
    index, shape index), loosened at their call sites; and those check_shape calls."""
    helpers, inner = {}, set()
    for f in tree.body:
        params = [a.arg for a in f.args.args] if isinstance(f, ast.FunctionDef) else []
        for c in ast.walk(f) if params else ():
            if isinstance(c, ast.Call) and callee(c) == "check_shape" and len(c.args) >= 4 and all(
                    isinstance(a, ast.Name) and a.id in params for a in c.args[2:4]):
                helpers[f.name] = (params.index(c.args[2].id), params.index(c.args[3].id))
                inner.add(c)
    return helpers, inner


def shape_readers(root):
    """Functions returning an argument's shape (shape_of, lstm._sizes): name -> that argument's index."""
    readers = {"shape_of": 2}
    for p in sorted((root / "kernels").glob("*.py")):
        for f in ast.parse(p.read_text()).body:
            params = [a.arg for a in f.args.args] if isinstance(f, ast.FunctionDef) else []
            own = {}
            for n in ast.walk(f) if params else ():
                v = n.value if isinstance(n, (ast.Assign, ast.Return)) else None
                a = v.args[2] if isinstance(v, ast.Call) and callee(v) == "shape_of" and len(v.args) > 2 else \
                    v.value if isinstance(v, ast.Attribute) and v.attr == "shape" else None
                index = params.index(a.id) if isinstance(a, ast.Name) and a.id in params else \
                    own.get(v.id) if isinstance(v, ast.Name) else None
                if index is not None and isinstance(n, ast.Return):
                    readers[f.name] = index
                elif index is not None and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name):
                    own[n.targets[0].id] = index
    return readers


def own_extents(src, fdef, readers):
    """name -> (array, axis) for the names fdef reads from an array's own shape (N, T, H = shape_of(.., hs, 3))."""
    own = {}

    def whole(v):  # the array whose shape v is
        if isinstance(v, ast.Call) and callee(v) in readers and len(v.args) > readers[callee(v)]:
            return src.seg(v.args[readers[callee(v)]])
        return src.seg(v.value) if isinstance(v, ast.Attribute) and v.attr == "shape" else None

    def bind(target, v):
        if isinstance(target, ast.Tuple) and isinstance(v, ast.Tuple) and len(v.elts) == len(target.elts):
            for t, e in zip(target.elts, v.elts):
                bind(t, e)
        elif isinstance(target, ast.Tuple) and whole(v):
            own.update({t.id: (whole(v), j) for j, t in enumerate(target.elts) if isinstance(t, ast.Name)})
        elif isinstance(target, ast.Name) and extent(v):
            own[target.id] = extent(v)

    def extent(v):  # (array, axis) if v is one extent of an array's own shape
        if isinstance(v, ast.Subscript) and isinstance(v.slice, ast.Constant) and whole(v.value):
            return whole(v.value), v.slice.value
        return own.get(v.id) if isinstance(v, ast.Name) else None
    for n in sorted((n for n in ast.walk(fdef) if isinstance(n, ast.Assign) and len(n.targets) == 1),
                    key=lambda n: n.lineno):
        bind(n.targets[0], n.value)
    return extent


def mutants_of(root, rel, readers=None):
    src, readers = Source(root, rel), readers or {"shape_of": 2}
    out, seen, count, extents = [], Counter(), Counter(), {}
    helpers, inner = shape_helpers(src.tree)

    def add(at, func, jit, kind, detail, edits, desc, mode=None):
        key = f"{rel}:{kind}:{func}.{detail}"
        seen[key] += 1
        key += f"#{seen[key]}" if seen[key] > 1 else ""
        compile(apply(src.text, edits), rel, "exec")  # a generator bug, not a mutant: fail loudly
        compiled_only = rel == CHECKS and func.split(".")[0] in COMPILED_ONLY
        out.append(Mutant(key.replace(":", f":{at.lineno}:", 1), key, rel, at.lineno, kind,
                          mode or ("jit" if jit or compiled_only else "py"), edits, desc))

    def drop(container, spans, i, closer):
        """Edits deleting element i (spans: each one's (start, end)) of a tuple or dict literal."""
        s, e = src.span(container)
        if len(spans) == 1:
            return [(s, e, closer)]
        if len(spans) == 2 and closer == "()":  # keep it a tuple
            return [(s, e, "(" + src.text[slice(*spans[1 - i])] + ",)")]
        if i < len(spans) - 1:
            return [(spans[i][0], spans[i + 1][0], "")]
        return [(spans[i - 1][1], spans[i][1], "")]

    def loosen(func, jit, label, expected, array, extent):
        if src.seg(expected) == src.seg(array) + ".shape":  # the array against itself: nothing to loosen
            return
        for i in range(len(expected.elts) if isinstance(expected, ast.Tuple) else MAX_AXES):
            if isinstance(expected, ast.Tuple) and extent(expected.elts[i]) == (src.seg(array), i):
                continue  # an extent read from this very array: loosening it changes nothing
            new = f"{PROBE}({src.seg(expected)}, {src.seg(array)}, {i})"
            add(expected, func, jit, "loosen", f"{label}[{i}]", [(*src.span(expected), new)],
                f"axis {i} of {' '.join(src.seg(expected).split())} <- {src.seg(array)}.shape[{i}]", mode="py")

    for node, func, jit, fdef in src.nodes():
        extent = extents.setdefault(fdef, own_extents(src, fdef, readers))
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) and CHECK_CALL.match(callee(node.value)):
            add(node, func, jit, "remove", f"{callee(node.value)}({names_in(node.value)})",
                [(*src.span(node), "pass")], "-> pass")
        name, args = (callee(node), node.args) if isinstance(node, ast.Call) else ("", [])
        if name == "shape_of" and len(args) >= 3:
            add(node, func, jit, "remove", f"shape_of({src.seg(args[2])})", [(*src.span(node), src.seg(args[2]) +
                ".shape")], f"-> {src.seg(args[2])}.shape")
        elif name == "check_operands":
            for d in (a for a in args[1:3] if isinstance(a, ast.Dict)):
                spans = [(src.span(k)[0], src.span(v)[1]) for k, v in zip(d.keys, d.values)]
                for i, (k, v) in enumerate(zip(d.keys, d.values)):
                    op = k.value if isinstance(k, ast.Constant) else src.seg(k)
                    add(k, func, jit, "entry", f"check_operands(-{op})", drop(d, spans, i, "{}"), f"drop entry {op!r}")
                    if isinstance(v, ast.Tuple) and len(v.elts) >= 2:
                        loosen(func, jit, f"check_operands({op})", v.elts[1], v.elts[0], extent)
        elif name == "check_apart" and len(args) >= 4 and isinstance(args[1], ast.Tuple) and isinstance(
                args[2], ast.Tuple) and isinstance(args[3], ast.Constant):
            for i, op in enumerate(args[1].elts):
                edits = [x for t in args[1:3] for x in drop(t, [src.span(v) for v in t.elts], i, "()")]
                if i < args[3].value:  # one input fewer
                    edits.append((*src.span(args[3]), str(args[3].value - 1)))
                add(node, func, jit, "entry", f"check_apart(-{op.value})", edits, f"drop operand {op.value!r}")
        elif name == "check_shape" and len(args) >= 4 and node not in inner:
            loosen(func, jit, f"check_shape({names_in(node)})", args[3], args[2], extent)
        elif name in helpers and len(args) > max(helpers[name]):
            loosen(func, jit, f"{name}({names_in(node)})", args[helpers[name][1]], args[helpers[name][0]], extent)
        if isinstance(node, ast.If):
            count[func] += 1
            tag, span, test = f"if#{count[func]}", src.span(node.test), " ".join(src.seg(node.test).split())
            raises = any(isinstance(b, ast.Raise) for b in node.body)
            if rel != CHECKS:  # a kernel's own `if ...: raise`
                if raises:
                    add(node, func, jit, "raise", f"{tag}->False", [(*span, "False")], f"if {test}: -> if False:")
                continue
            for value in ("False",) if raises else ("False", "True"):  # forcing a raise would kill every call
                add(node, func, jit, "branch", f"{tag}->{value}", [(*span, value)], f"if {test}: -> if {value}:")
            for part in ast.walk(node.test):
                if isinstance(part, ast.BoolOp):  # drop one condition of an and/or
                    op, keep = ("and", "True") if isinstance(part.op, ast.And) else ("or", "False")
                    for j, v in enumerate(part.values):
                        add(node, func, jit, "branch", f"{tag}.{op}[{j}]->{keep}", [(*src.span(v), keep)],
                            f"{src.seg(v)} -> {keep} in `{test}`")
                elif isinstance(part, ast.Compare) and len(part.ops) > 1:  # one comparison of a chain
                    terms = [src.seg(t) for t in [part.left] + part.comparators]
                    for j, op in enumerate(part.ops):
                        new = ast.unparse(ast.Compare(ast.Name(terms[j]), [op], [ast.Name(terms[j + 1])]))
                        add(node, func, jit, "branch", f"{tag}.cmp[{j}]", [(*src.span(part), new)],
                            f"{src.seg(part)} -> {new}")
        if isinstance(node, ast.For) and rel == CHECKS:
            count[func + ".for"] += 1
            add(node, func, jit, "branch", f"for#{count[func + '.for']}->skip", [(*src.span(node.iter), "()")],
                f"for ... in {src.seg(node.iter)}: -> in ()")
    return out


def all_mutants(root):
    readers = shape_readers(root)
    return [m for p in sorted((root / "kernels").glob("*.py")) if not NOT_CHECKS.match(p.name)
            for m in mutants_of(root, f"kernels/{p.name}", readers)]
