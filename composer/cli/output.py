"""How a composed brief is shown: the brief on stdout, its summary and warnings on stderr."""

from __future__ import annotations

import click

from composer.compose import Brief
from composer.export import render_output


def echo_brief(brief: Brief, fmt: str) -> None:
    click.echo(render_output(brief, fmt))
    click.echo(brief.summary_line(), err=True)
    for warning in brief.warnings:
        click.echo(f"Warning: {warning}", err=True)
