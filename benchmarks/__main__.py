"""Run every bench_*.py module's run(), write benchmarks/results.json and print a table."""
import importlib
import json
import pkgutil
from pathlib import Path

import benchmarks

RESULTS = Path(__file__).parent / "results.json"


def main():
    """Collect all benchmark numbers into one results file."""
    results = {}
    for module in sorted(m.name for m in pkgutil.iter_modules(benchmarks.__path__) if m.name.startswith("bench_")):
        print(f"running {module} ...", flush=True)
        results.update(importlib.import_module(f"benchmarks.{module}").run(results))
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    width = max(map(len, results))
    for key, value in results.items():
        print(f"{key:<{width}}  {value:>12.2f}" if isinstance(value, float) else f"{key:<{width}}  {value!s:>12}")
    print(f"\nwritten to {RESULTS}")


if __name__ == "__main__":
    main()
