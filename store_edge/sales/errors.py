"""What can go wrong with a completed sale."""

from store_edge.errors import NotFound


class SaleNotFound(NotFound):
    pass
