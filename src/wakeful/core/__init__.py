"""The shared vocabulary: the `Post` model, settings and the clock."""
