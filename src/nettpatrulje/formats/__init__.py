"""Date and number formats that Django's own locale data leaves out (FORMAT_MODULE_PATH):
only what is missing is set here, the rest still comes from Django."""
