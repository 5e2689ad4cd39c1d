"""The layer classes, one family per file; import them from fastnn.layers and
fastnn.time_layers, the book's module names."""
