"""`python -m devices` as a technician runs it: JSON out, exit codes to act on."""

import json
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest

from deploy.local.redis_server import free_port
from devices.simulators import ModbusScaleSimulator, ScaleSimulator, ScannerSimulator

ROOT = Path(__file__).resolve().parents[2]


def devices(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "devices", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)  # fmt: skip


@pytest.mark.parametrize("protocol", ["toledo8217", "nci", "sics"])
def test_scale_read_prints_one_reading(protocol: str, tmp_path: Path) -> None:
    simulator = ScaleSimulator(tmp_path / "ttyScale", protocol)
    simulator.state.weight = Decimal("1.250")
    try:
        result = devices("scale", "read", "--protocol", protocol, "--port", str(simulator.path))
    finally:
        simulator.close()
    assert result.returncode == 0, result.stderr
    reading = json.loads(result.stdout)
    assert (reading["weight"], reading["stable"], reading["sellable_kg"]) == (
        "1.250",
        True,
        "1.250",
    )


def test_a_moving_scale_reads_but_says_why_it_cannot_be_sold(tmp_path: Path) -> None:
    simulator = ScaleSimulator(tmp_path / "ttyScale", "sics")
    simulator.state.weight, simulator.state.motion = Decimal("0.8"), True
    try:
        result = devices("scale", "read", "--protocol", "sics", "--port", str(simulator.path))
    finally:
        simulator.close()
    reading = json.loads(result.stdout)
    assert (result.returncode, reading["sellable_kg"]) == (0, None)
    assert "moving" in reading["why_not"]


def test_exit_codes_a_technician_can_act_on(tmp_path: Path) -> None:
    missing = devices("scale", "read", "--protocol", "toledo8217", "--port", str(tmp_path / "no"))
    assert (missing.returncode, "does not exist" in missing.stderr) == (3, True)
    silent = ScaleSimulator(tmp_path / "silent", "toledo8217")
    silent.state.silent = True
    wrong = ScaleSimulator(tmp_path / "wrong", "sics")  # a SICS scale read as an 8217
    try:
        no_answer = devices("scale", "read", "--protocol", "toledo8217", "--port",
                            str(silent.path), "--timeout", "0.3")  # fmt: skip
        foreign = devices("scale", "read", "--protocol", "nci", "--port", str(wrong.path),
                          "--timeout", "0.3")  # fmt: skip
    finally:
        silent.close()
        wrong.close()
    assert (no_answer.returncode, "no answer" in no_answer.stderr) == (4, True)
    assert foreign.returncode in (4, 5)
    assert devices("scale", "read", "--protocol", "sics").returncode == 2  # no --port
    assert devices("scale", "read", "--protocol", "cas", "--port", "x").returncode == 2


def test_modbus_read(tmp_path: Path) -> None:
    simulator = ModbusScaleSimulator(free_port())
    simulator.set(weight=Decimal("3.210"))
    try:
        result = devices("scale", "read", "--protocol", "modbus", "--host", "127.0.0.1",
                         "--tcp-port", str(simulator.port))  # fmt: skip
    finally:
        simulator.close()
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["weight"] == "3.210"


def test_scanner_listen_prints_scans_as_json_lines(tmp_path: Path) -> None:
    scanner = ScannerSimulator(tmp_path / "ttyScan")
    threading.Timer(1.0, lambda: scanner.scan("]E04006381333931")).start()
    try:
        result = devices("scanner", "listen", "--port", str(scanner.path), "--count", "1",
                         "--seconds", "10")  # fmt: skip
    finally:
        time.sleep(0.1)
        scanner.close()
    assert result.returncode == 0, result.stderr
    scan = json.loads(result.stdout.splitlines()[0])
    assert scan["code"] == "]E04006381333931"
    assert scan["parsed"]["value"] == "04006381333931"


@pytest.mark.parametrize(
    ("code", "returncode"), [("4006381333931", 0), ("4006381333932", 6), ("ABC", 6)]
)
def test_barcode_parse(code: str, returncode: int) -> None:
    result = devices("barcode", "parse", code)
    assert result.returncode == returncode
    assert json.loads(result.stdout or result.stderr)
