"""The message broker seam: NATS JetStream behind a small interface (see `base.Broker`)."""

from tidings_server.broker.base import Broker, PublishAck, StreamSpec
from tidings_server.broker.jetstream import JetStreamBroker

__all__ = ["Broker", "JetStreamBroker", "PublishAck", "StreamSpec"]
