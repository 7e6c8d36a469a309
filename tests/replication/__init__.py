"""Reads from a read replica, proven on two MariaDB servers the tests start themselves."""
