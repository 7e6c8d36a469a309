"""Mail: written to an outbox in the transaction of the change it tells of, delivered by `manage.py deliver_mail`."""
