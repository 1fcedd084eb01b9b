"""The Evaluate screen's widgets: confusion grid, predictions, weights, draw canvas."""
