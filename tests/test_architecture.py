"""Conventions the team agreed, enforced."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ["phb", "budgets", "careplans", "employers"]


def test_dependencies_point_one_way():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _view_modules():
    for app in APPS:
        yield from (ROOT / app).glob("views/*.py")
        yield from (ROOT / app).glob("views.py")


def test_views_never_use_a_bare_manager():
    """A view reads through a selector or `visible_to(user)`, never `Model.objects` directly."""
    offenders = []
    for path in _view_modules():
        tree = ast.parse(path.read_text())
        scoped = {
            id(node.value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and node.attr == "visible_to"
        }
        offenders += [
            f"{path.relative_to(ROOT)}:{node.lineno}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and node.attr == "objects" and id(node) not in scoped
        ]
    assert offenders == []


ALWAYS_WRITES = {
    "save",
    "delete",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
}
QUERYSET_WRITES = {"create", "update"}


def _on_a_manager(node: ast.AST) -> bool:
    """Whether an expression goes through a model manager (`X.objects...` or `x.thing_set`)."""
    while isinstance(node, ast.Attribute | ast.Call):
        if isinstance(node, ast.Attribute) and (
            node.attr == "objects" or node.attr.endswith("_set")
        ):
            return True
        node = node.value if isinstance(node, ast.Attribute) else node.func
    return False


def test_views_never_save_models():
    """Views call services to change data; only services write."""
    offenders = []
    for path in _view_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            name = node.func.attr
            receiver = node.func.value
            if isinstance(receiver, ast.Name) and receiver.id == "self":
                continue  # the view's own helper methods, which call services
            if name in ALWAYS_WRITES or (
                name in QUERYSET_WRITES and _on_a_manager(node.func.value)
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} .{name}()")
    assert offenders == []


def test_migrations_are_committed():
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
