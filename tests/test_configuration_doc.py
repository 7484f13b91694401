"""Every environment variable the code reads is in the one table of docs/configuration.md (and in the example
environment file), so that the documentation cannot drift from the code."""
import ast
import re

from .conftest import ROOT

DOC = ROOT / "docs" / "configuration.md"
EXAMPLE = ROOT / "deploy" / "zoneeval.env.example"
NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
SHELL_VARIABLE = re.compile(r"\$\$?\{?([A-Z][A-Z0-9_]*)")
SET_BY_SYSTEMD = {"MAINPID"}  # ExecReload's $MAINPID is systemd's, not ours


def documented() -> set[str]:
    names = set()
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("| `"):
            first_cell = line.split("|")[1]
            names.update(re.findall(r"`([A-Z][A-Z0-9_]*)`", first_cell))
    return names


def _is_environ(node) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "environ" and isinstance(node.value, ast.Name)
            and node.value.id == "os")


class EnvReads(ast.NodeVisitor):
    """Names read with os.environ.get/[]/setdefault/pop, os.getenv, ``"X" in os.environ`` and the settings' own
    ``_env_*("X", …)`` helpers; a read whose name is not a literal is only allowed inside such a helper."""

    def __init__(self, path):
        self.path, self.names, self.unnamed, self.function = path, set(), [], ""

    def visit_FunctionDef(self, node):
        outer, self.function = self.function, node.name
        self.generic_visit(node)
        self.function = outer

    def _name(self, node, arg):
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and NAME.match(arg.value):
            self.names.add(arg.value)
        elif not self.function.startswith("_env"):
            self.unnamed.append(f"{self.path.relative_to(ROOT)}:{node.lineno}")

    def visit_Call(self, node):
        func = node.func
        reads = (isinstance(func, ast.Attribute) and (
            (_is_environ(func.value) and func.attr in {"get", "setdefault", "pop"})
            or (func.attr == "getenv" and isinstance(func.value, ast.Name) and func.value.id == "os"))
        ) or (isinstance(func, ast.Name) and func.id.startswith("_env"))
        if reads and node.args:
            self._name(node, node.args[0])
        self.generic_visit(node)

    def visit_Subscript(self, node):
        if _is_environ(node.value):
            self._name(node, node.slice)
        self.generic_visit(node)

    def visit_Compare(self, node):
        if len(node.ops) == 1 and isinstance(node.ops[0], ast.In | ast.NotIn) and _is_environ(node.comparators[0]):
            self._name(node, node.left)
        self.generic_visit(node)


def read_by_the_code() -> tuple[set[str], list[str]]:
    names, unnamed = set(), []
    python = [*sorted((ROOT / "zoneeval").rglob("*.py")), *sorted((ROOT / "deploy").rglob("*.py")), ROOT / "manage.py"]
    for path in python:
        visitor = EnvReads(path)
        visitor.visit(ast.parse(path.read_text(encoding="utf-8")))
        names |= visitor.names
        unnamed += visitor.unnamed
    for path in [ROOT / "deploy" / "Procfile", *sorted((ROOT / "deploy").glob("*.service"))]:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.lstrip().startswith("#"):
                names.update(set(SHELL_VARIABLE.findall(line)) - SET_BY_SYSTEMD)
    return names, unnamed


def test_every_variable_the_code_reads_is_in_the_configuration_table():
    names, unnamed = read_by_the_code()
    # The search itself works: it finds reads of each kind (settings, gunicorn's file, the Procfile, a setdefault).
    assert {"DEBUG", "SECRET_KEY", "LOG_FORMAT", "PORT", "WEB_CONCURRENCY", "RENDER_MAX_MEMORY_KIB",
            "DJANGO_SETTINGS_MODULE"} <= names
    assert unnamed == [], "environment read with a computed name (write the name out so it can be documented)"
    missing = sorted(names - documented())
    assert missing == [], f"read by the code but not in docs/configuration.md: {missing}"


def test_the_example_environment_file_names_every_documented_variable():
    example = EXAMPLE.read_text(encoding="utf-8")
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", example, flags=re.M))
    assert sorted(documented() - {"DJANGO_SETTINGS_MODULE"} - listed) == []
    assert sorted(listed - documented()) == []


def test_the_readme_links_the_table():
    assert "(docs/configuration.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
