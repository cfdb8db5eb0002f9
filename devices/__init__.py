"""Device drivers and barcode parsing in plain Python; nothing here imports Django."""
