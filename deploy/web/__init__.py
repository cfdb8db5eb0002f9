"""Web code both projects run (the store node and HQ): hardening settings and middleware,
the card-number guard, request size and JSON limits, request ids, the APIs' documented
error answers, and the Prometheus exposition. `deploy/` around it holds what deploys."""
