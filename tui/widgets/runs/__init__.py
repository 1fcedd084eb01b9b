"""The Runs screen's widgets: the table of runs, and the compare view's charts and settings."""
