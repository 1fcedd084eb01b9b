"""The Train screen's widgets: the form, the run's status, its epoch table and charts."""
