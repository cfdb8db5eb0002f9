"""Running the whole system on one machine: the demo, and the helpers tests share with it."""
