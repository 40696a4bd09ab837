"""The ``compose tui`` interface (Textual). Importing this package does not import Textual:
``composer.tui.app`` does. The non-widget modules here (draft, session, watch, problems,
campaign_file, frame_preview, generation) are plain Python and tested without a terminal.
"""
