"""Scale-out: content events through NATS JetStream to any number of screening workers."""
