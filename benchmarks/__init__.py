"""pytest-benchmark suites: numpy written the book's way beside fastnn, and the report."""
