"""The main screen and the modal prompts."""
