"""What a lane's devices cannot give when a cashier needs it."""

from store_edge.errors import Invalid


class WeightNeeded(Invalid):
    """A weighed item on a lane without a scale: the cashier gives the weight."""

    code = "weight_needed"


class ScaleNotReady(Invalid):
    """The lane's scale gave no sellable weight yet (moving, empty, away): weigh again."""

    code = "scale_not_ready"
