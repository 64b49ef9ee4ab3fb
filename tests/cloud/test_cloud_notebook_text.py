"""What notebook 15 says about earlier notebooks is what they do."""
import re
from pathlib import Path

import nbformat

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def text_of(name):
    return "\n".join(cell.source for cell in nbformat.read(NOTEBOOKS / name, as_version=4).cells)


def test_the_redis_commands_15_says_07_used_are_the_ones_07_uses():
    cells = nbformat.read(NOTEBOOKS / "15_clouds_containers.ipynb", as_version=4).cells
    text = next(cell.source for cell in cells if "a Redis list was the queue" in cell.source)
    claimed = re.findall(r"`([A-Z]{4,})`", text.split("Amazon's")[0])
    assert len(claimed) >= 2, text
    queues = text_of("07_work_queues.ipynb")
    missing = [c for c in claimed if not re.search(rf"\b{c}\b", queues, re.IGNORECASE)]
    assert not missing, f"15 says 07 used {missing}, which 07 never does"
