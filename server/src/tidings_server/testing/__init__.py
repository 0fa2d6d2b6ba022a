"""Test support shared by every suite (server, contract, SDKs): real services on free ports.

Loaded as a pytest plugin (`-p tidings_server.testing.plugin`, set in the root pyproject)."""
