"""The benchmark (`make bench`): the service on the native stack, side by side with baseline apps."""
