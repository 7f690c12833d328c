"""Errors of the auto-renew settings service (their codes, fields and messages: mailrenew.errors.CATALOGUE)."""

from __future__ import annotations

from mailrenew.errors import DomainError


class PeriodRequired(DomainError):
    code = "PERIOD_REQUIRED"


class PayerRequired(DomainError):
    code = "PAYER_REQUIRED"


class PayerNotAllowed(DomainError):
    code = "PAYER_NOT_ALLOWED"


class MailboxNotInDomain(DomainError):
    code = "MAILBOX_NOT_IN_DOMAIN"
