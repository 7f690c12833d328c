"""The outbox of messages to users and their SMTP delivery."""
