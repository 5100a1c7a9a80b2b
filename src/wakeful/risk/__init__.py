"""How loud a post is and will get: pure functions over `core` models."""
