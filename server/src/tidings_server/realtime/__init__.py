"""The realtime gateway: a sans-I/O protocol core (protocol.py), frame encoding once per event
(encoding.py), and the close/error code registry (codes.py). Transports are thin adapters."""
