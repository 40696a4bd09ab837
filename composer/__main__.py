"""``python -m composer ...``: the ``compose`` command, for when the script is not on PATH."""

from composer.cli import main

if __name__ == "__main__":
    main(prog_name="compose")
