"""The widgets of Lesson mode (screen 6): a step's text, code, values, drawing and exercise."""
