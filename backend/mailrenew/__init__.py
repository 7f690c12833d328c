"""Mailrenew: mailbox and domain auto-renewal for a hosting provider."""

__version__ = "0.1.0"
