"""The tensor lab's widgets: the panels of screen 2 and the input line they share."""
