"""One widget a module; each is driven by the main screen."""
