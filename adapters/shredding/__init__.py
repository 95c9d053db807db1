"""Crypto-shredding: personal data sealed under one key per data subject, keys wrapped by a
master key, a subject's data made unreadable for good by destroying their key."""
