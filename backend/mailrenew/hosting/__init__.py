"""Domains, mailboxes, forwards, and the auto-renew settings service."""
