"""Run the benchmarks: ``python bench/run.py [name ...]``; ``make bench`` runs them all.

A benchmark is a module ``bench/<name>.py`` with a ``main()``. This file only sets up Django and
calls each one in name order (or the ones named on the command line): add a benchmark by adding a
module, not by editing this dispatcher. Benchmarks run on the current database (DATABASE_URL, or
the embedded SQLite file) and must leave it as they found it.
"""

import importlib.util
import os
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")


def available() -> list[str]:
    return sorted(p.stem for p in BENCH_DIR.glob("*.py") if p.stem != "run" and not p.stem.startswith("_"))


def database_is_migrated() -> bool:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return not executor.migration_plan(executor.loader.graph.leaf_nodes())


def main(argv: list[str]) -> int:
    import django

    django.setup()
    names = argv or available()
    unknown = sorted(set(names) - set(available()))
    if unknown:
        print(f"没有这些基准测试：{'、'.join(unknown)}；可用：{'、'.join(available())}", file=sys.stderr)
        return 2
    if not database_is_migrated():
        print("数据库尚未迁移到最新版本，请先运行 make demo（或 python manage.py migrate）。", file=sys.stderr)
        return 1
    for name in names:
        spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH_DIR / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(f"== {name} ==")
        module.main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
