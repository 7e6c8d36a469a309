"""Sign-in: passwords proved, bearer tokens issued and revoked, failures throttled, and who may change whom."""
