"""The renewal window calendar, the daily sweep and its attempts; knows nothing of what triggers it."""
