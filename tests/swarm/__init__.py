"""The stack on Docker Swarm under load (scripts/swarm test): rolling updates, killed and scaled instances."""
