"""Credentials: API keys, client tokens, and the connexion security handlers."""
