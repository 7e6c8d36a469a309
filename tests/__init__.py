"""Tests of the running service: end to end, under faults, in containers, on a swarm, with a read replica."""
