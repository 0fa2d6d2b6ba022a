"""The realtime gateway: a sans-I/O protocol core (protocol.py); the WebSocket and SSE
transports are thin adapters around it. Close and error codes come from spec/errors.yaml."""
