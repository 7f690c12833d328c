"""Prices, prepaid accounts, the ledger, cards, and the payment gateway protocol with its simulator."""
