"""The users blueprint: the JSON API, the index page, the model and the schemas they share."""
