"""The feed pushed onto a broker (NATS JetStream): the relay, its messages, a consumer."""
