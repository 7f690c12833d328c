"""Audit events: who changed what, when, with the state before and after."""

from __future__ import annotations

from mailrenew.audit.service import event, record, record_many

__all__ = ["event", "record", "record_many"]
