"""The serialization server `python -m helpers serve NAME` can start."""
from helpers.serialization.feed import ObservationFeed

SERVERS = {
    "observation-feed": (ObservationFeed, "observations as JSON lines, some malformed on purpose (notebook 11)"),
}
