"""Template checks: every target's template exists, parses, uses only names the composer passes and
survives a trial render with every field filled in and with every optional field empty."""

from __future__ import annotations

import os
from pathlib import Path

import jinja2
from jinja2 import meta, nodes

from composer.errors import ComposerError, LibraryError, TemplateError
from composer.library import CONFIG_FILE, package_dir
from composer.location import Severity
from composer.models import Target
from composer.render import Renderer
from composer.validate.report import Report, fix_for
from composer.validate.samples import sample_context, template_names
from composer.yamlio import line_of, read_text


def check_templates(report: Report) -> None:
    library = report.library
    try:
        targets = library.targets
    except ComposerError as exc:
        report.error(exc, "schema", fix_for(getattr(exc, "reason", "")))
        return
    renderer = Renderer(library.template_dirs())
    config_path = library.root / CONFIG_FILE
    config_text = read_text(config_path, root=library.root)[0] if config_path.is_file() else ""
    own = library.root / "templates"
    for path in sorted(own.rglob("*.j2")) if own.is_dir() else []:
        _parse_template(report, renderer.env, path, None, library.root)
    checked: set[str] = set()
    for name, target in sorted(targets.items()):
        if target.template in checked:
            continue
        checked.add(target.template)
        where = (config_path, line_of(config_text, ["targets", name, "template"])) if name in library.config.targets \
            else (package_dir() / "targets.yaml", None)
        folder = next((d for d in library.template_dirs() if os.path.lexists(d / target.template)), None)
        found = folder / target.template if folder is not None else None
        if found is None or folder is None:
            report.add(Severity.ERROR, "template", f"target {name}: template '{target.template}' not found in "
                       f"{', '.join(map(str, library.template_dirs())) or 'any template folder'}",
                       "add the template or correct the target's `template`", where[0], where[1],
                       f"targets.{name}.template")
            continue
        report.used.add(("template", str(found.resolve())))
        if _parse_template(report, renderer.env, found, target, folder.parent):
            _trial_render(report, renderer, target, found)


def _parse_template(report: Report, env: jinja2.Environment, path: Path, target: Target | None,
                    root: Path) -> bool:
    try:
        source = read_text(path, root=root)[0]
        tree = env.parse(source, path.name, str(path))
    except LibraryError as exc:
        report.error(exc, "template", fix_for(exc.reason))
        return False
    except jinja2.TemplateSyntaxError as exc:
        report.add(Severity.ERROR, "template", f"template syntax error: {exc.message}",
                   "fix the Jinja syntax at that line", path, exc.lineno)
        return False
    except RecursionError:
        report.add(Severity.ERROR, "template", "template is nested too deeply to compile (parentheses or blocks "
                   "inside each other)", "flatten the nesting", path, None)
        return False
    for ref in meta.find_referenced_templates(tree):
        if ref:
            report.used.add(("template-name", ref))
    if target is None:
        return True  # an included block sees its includer's loop variables: checked by the trial render
    known = template_names(target) | set(env.globals)
    ok = True
    for name in sorted(meta.find_undeclared_variables(tree) - known):
        line = next((n.lineno for n in tree.find_all(nodes.Name) if n.name == name), None)
        report.add(Severity.ERROR, "template", f"template uses undefined name '{name}'",
                   f"use one of: {', '.join(sorted(template_names(target)))}", path, line)
        ok = False
    return ok


UNDEFINED_FIX = "use only fields the schema defines (docs and composer/models/), and guard optional ones with {% if %}"
"""The hint for a field a template reads that the sample context does not have (or has empty)."""


def _trial_render(report: Report, renderer: Renderer, target: Target, path: Path) -> None:
    """Render with every field filled, then with every optional field empty: both must work."""
    for full in (True, False):
        try:
            renderer.render(target.template, sample_context(target, full=full))
        except TemplateError as exc:
            filled = "every field filled in" if full else "every optional field empty"
            report.add(Severity.ERROR, "template", f"trial render with {filled} fails: {exc.reason}",
                       UNDEFINED_FIX if "undefined" in exc.reason else "fix the template at that line",
                       exc.path or path, exc.line)
            return
