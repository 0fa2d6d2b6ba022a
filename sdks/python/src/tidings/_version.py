"""The SDK's version, and how it introduces itself to the server."""

__all__ = ["USER_AGENT", "VERSION"]

VERSION = "0.1.0"
USER_AGENT = f"tidings-python/{VERSION}"
