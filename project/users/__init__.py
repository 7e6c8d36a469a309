"""The users domain: the User model, how users are read and written, and the errors that can happen."""
