"""The streaming pipeline notebook 14 prints works pasted into a terminal in any folder (make lab's terminals open
in notebooks/), and gives the same counts as run_streaming."""
import subprocess

from helpers.bigdata import make_logs, run_streaming, shell_line


def test_the_printed_line_runs_from_another_folder(tmp_path):
    logs = make_logs(5_000, parts=2, folder=tmp_path, progress=False)
    elsewhere = tmp_path / "somewhere-else"
    elsewhere.mkdir()
    out = subprocess.run(shell_line(logs.files), shell=True, cwd=elsewhere, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0 and not out.stderr, out.stderr
    counts = {key: int(total) for key, total in (line.split("\t") for line in out.stdout.splitlines())}
    assert counts == run_streaming(logs.files, progress=False)
