"""chschema for Tutor: apply Aspects' ClickHouse migrations at init and upgrade.

The plugin adds a ``chschema-job`` container (docker compose and Kubernetes)
that runs ``chschema migrate`` as an init task: every ``tutor local|k8s do
init``, and so every ``launch`` and upgrade, applies what is pending. The job is
configured by environment variables only, set here from the Tutor
configuration (CLICKHOUSE_* and ASPECTS_* of the Aspects plugin).
"""

from __future__ import annotations

import json
import shlex
import typing as t
import urllib.parse
from importlib import resources

import click
from tutor import hooks

from .__about__ import __version__

########################################
# CONFIGURATION
########################################

hooks.Filters.CONFIG_DEFAULTS.add_items(
    [
        ("CHSCHEMA_VERSION", __version__),
        # The image with chschema and the migrations: build it from the
        # chschema repository with examples/tutor/Dockerfile, push it, and set
        # this to its name.
        ("CHSCHEMA_DOCKER_IMAGE", "{{ DOCKER_REGISTRY }}chschema-aspects:{{ CHSCHEMA_VERSION }}"),
        # Where the image keeps the migrations.
        ("CHSCHEMA_MIGRATIONS_DIR", "/chschema/migrations"),
        # The ClickHouse to migrate, as the Aspects plugin configures it. The
        # DSN names the database every server has: the migrations' init.sql
        # creates Aspects' databases.
        (
            "CHSCHEMA_DSN",
            "clickhouse://{{ CLICKHOUSE_ADMIN_USER|chschema_urlquote }}"
            ":{{ CLICKHOUSE_ADMIN_PASSWORD|chschema_urlquote }}"
            "@{{ CLICKHOUSE_HOST }}:{{ CLICKHOUSE_INTERNAL_NATIVE_PORT }}/default"
            "{% if CLICKHOUSE_SECURE_CONNECTION %}?secure=true{% endif %}",
        ),
        # The history (and, beside it, the lock) of applied migrations.
        ("CHSCHEMA_HISTORY_TABLE", "{{ ASPECTS_XAPI_DATABASE }}.chschema_migrations"),
        # text: timestamped lines; json: one JSON object per line.
        ("CHSCHEMA_LOG_FORMAT", "text"),
        # How long to wait for ClickHouse to answer (it starts with the job).
        ("CHSCHEMA_WAIT", "5m"),
        # How long to wait for the lock of another run (another init job).
        ("CHSCHEMA_LOCK_TIMEOUT", "30m"),
        # How long the lock of a run that died outlives it.
        ("CHSCHEMA_LOCK_LEASE", "1m"),
        # Seconds between the stop signal and SIGKILL: the running statement
        # finishes, the lock is released.
        ("CHSCHEMA_STOP_GRACE_PERIOD", 120),
        # The history and lock tables ON CLUSTER, for a cluster.
        ("CHSCHEMA_CLUSTER", "{{ CLICKHOUSE_CLUSTER_NAME }}"),
        # The migrations' template variables, ${NAME} in the SQL.
        ("CHSCHEMA_VAR_XAPI_DB", "{{ ASPECTS_XAPI_DATABASE }}"),
        ("CHSCHEMA_VAR_EVENT_SINK_DB", "{{ ASPECTS_EVENT_SINK_DATABASE }}"),
        ("CHSCHEMA_VAR_VECTOR_DB", "{{ ASPECTS_VECTOR_DATABASE }}"),
        (
            "CHSCHEMA_VAR_ON_CLUSTER",
            "{% if CLICKHOUSE_CLUSTER_NAME %}ON CLUSTER '{{ CLICKHOUSE_CLUSTER_NAME }}'{% endif %}",
        ),
        # More environment for the job: other CHSCHEMA_VAR_<NAME> of your
        # migrations, CHSCHEMA_IGNORE, ...
        ("CHSCHEMA_EXTRA_ENV", {}),
    ]
)


def urlquote(value: t.Any) -> str:
    """Quote a DSN's user or password: every reserved character escaped."""
    return urllib.parse.quote(str(value), safe="")


def env_value(value: t.Any) -> str:
    """A value for a docker compose or Kubernetes environment entry: a
    double-quoted YAML scalar, with "$" doubled (both would expand it)."""
    return json.dumps(str(value)).replace("$", "$$")


hooks.Filters.ENV_TEMPLATE_FILTERS.add_items(
    [
        ("chschema_urlquote", urlquote),
        ("chschema_env_value", env_value),
    ]
)

########################################
# THE JOB
########################################


def _read(*path: str) -> str:
    return resources.files("tutorchschema").joinpath(*path).read_text(encoding="utf-8")


# The chschema-job container of docker compose and Kubernetes.
for _patch in ("local-docker-compose-jobs-services", "k8s-jobs"):
    hooks.Filters.ENV_PATCHES.add_item((_patch, _read("patches", _patch)))

# `tutor local|k8s do init` runs the init tasks in priority order. Aspects
# sets up ClickHouse (users, databases) at 93 and runs its own migrations at
# 94; chschema runs at 94, in their place, before dbt.
MIGRATE_TASK = _read("templates", "chschema", "jobs", "init", "chschema-migrate.sh")
hooks.Filters.CLI_DO_INIT_TASKS.add_item(("chschema", MIGRATE_TASK), priority=94)


@click.command(
    name="chschema",
    help="Run chschema in the chschema-job container, for example "
    "`tutor local do chschema status` or `tutor k8s do chschema unlock`.",
    context_settings={"ignore_unknown_options": True},
)
@click.argument("args", nargs=-1, required=True)
def chschema_do(args: tuple[str, ...]) -> list[tuple[str, str]]:
    """The `do chschema ARGS...` job: one task in the chschema-job container."""
    return [("chschema", "chschema " + " ".join(shlex.quote(a) for a in args))]


hooks.Filters.CLI_DO_COMMANDS.add_item(chschema_do)

# `tutor images pull chschema` (and `pull all`).
hooks.Filters.IMAGES_PULL.add_item(("chschema", "{{ CHSCHEMA_DOCKER_IMAGE }}"))
