"""Generating a brief: one job's lifecycle, its record, and the runs behind ``compose shot --generate``
and ``compose generate``.

Nothing is lost on the way: the brief and the exact request are on disk before the first request,
the task id is written the moment the provider accepts the task, and every ending (success,
failure, timeout, Ctrl-C) leaves ``<stem>.generation.json`` saying what happened and what to do.

- ``jobs``: building a job from a brief or an exported brief file (checked before any request);
- ``lifecycle``: the driver (submit -> poll -> download -> inspect -> record) over a ``JobStore``,
  and the never-pay-twice rules, shared with campaigns;
- ``inspection``: what the QC hook returns, and a stored QC report read back (badges, counts);
- ``record``: the typed generation record and its store;
- ``run``: the single-shot runs, async (``run_job``, ``resume_record``) and sync (the CLI's).
"""

from __future__ import annotations

from composer.generate.inspection import Inspection, Inspector
from composer.generate.jobs import GenerateSettings, job_from_brief, job_from_brief_file, make_job, read_brief_file
from composer.generate.lifecycle import Lifecycle
from composer.generate.record import RECORD_SUFFIX, GenerationRecord, RecordStore, load_record, record_path
from composer.generate.run import (
    DEFAULT_OUT_DIR,
    ExistingGenerationError,
    Outcome,
    check_existing,
    credits,
    estimate,
    generate_brief,
    generate_brief_file,
    interrupted_hint,
    resume_record,
    run_job,
)

__all__ = [
    "DEFAULT_OUT_DIR", "RECORD_SUFFIX", "ExistingGenerationError", "GenerateSettings", "GenerationRecord",
    "Inspection", "Inspector", "Lifecycle", "Outcome", "RecordStore", "check_existing", "credits", "estimate",
    "generate_brief", "generate_brief_file", "interrupted_hint", "job_from_brief", "job_from_brief_file",
    "load_record", "make_job", "read_brief_file", "record_path", "resume_record", "run_job",
]
