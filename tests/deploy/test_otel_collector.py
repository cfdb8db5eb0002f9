"""The edge's OpenTelemetry collector configuration: every pipeline names components that
are defined, and what cannot be sent waits on disk, bounded, retried for as long as it takes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

CONFIG = Path(__file__).parents[2] / "deploy" / "otel" / "edge-collector.yaml"


def load() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(CONFIG.read_text())
    return document


def test_every_pipeline_uses_defined_components() -> None:
    config = load()
    for name, pipeline in config["service"]["pipelines"].items():
        for kind in ("receivers", "processors", "exporters"):
            for component in pipeline[kind]:
                assert component in config[kind], f"{name}: {component} is not defined"
    for extension in config["service"]["extensions"]:
        assert extension in config["extensions"]


def test_what_cannot_be_sent_waits_on_disk_bounded() -> None:
    config = load()
    storage = config["extensions"]["file_storage/queue"]
    assert storage["directory"].startswith("/var/lib/")
    for exporter in config["exporters"].values():
        queue = exporter["sending_queue"]
        assert queue["enabled"] and queue["storage"] == "file_storage/queue"
        assert 0 < queue["queue_size"] <= 100_000
        assert exporter["retry_on_failure"]["max_elapsed_time"] == 0  # retried while offline
    assert config["receivers"]["filelog/store"]["storage"] == "file_storage/queue"
    assert config["processors"]["memory_limiter"]["limit_mib"] <= 128


def test_the_store_metrics_it_scrapes_are_the_stores_own_page() -> None:
    scrape = load()["receivers"]["prometheus"]["config"]["scrape_configs"][0]
    (target,) = scrape["static_configs"][0]["targets"]
    assert target.startswith("127.0.0.1:")  # /metrics answers the loopback only by default
