"""Load the plugin the way Tutor does, without Tutor (not on this machine):
a stand-in for tutor.hooks records what the plugin adds; the configuration is
the plugin's defaults over a base configuration given as JSON on stdin, its
values rendered with Jinja2 until they stop changing (as Tutor renders
config.yml); then the two patches are rendered with it.

Prints a JSON object: the init tasks, the do command's tasks for `status`,
the pulled images, the rendered patches parsed as YAML, and the config.

Usage: python3 render.py PLUGIN_DIR < base-config.json
"""

import json
import sys
import types

import jinja2
import yaml


class Filter:
    def __init__(self):
        self.items = []

    def add_item(self, item, priority=None):
        self.items.append((item, priority))

    def add_items(self, items, priority=None):
        for item in items:
            self.add_item(item, priority)


class Filters:
    CONFIG_DEFAULTS = Filter()
    ENV_TEMPLATE_FILTERS = Filter()
    ENV_PATCHES = Filter()
    CLI_DO_INIT_TASKS = Filter()
    CLI_DO_COMMANDS = Filter()
    IMAGES_PULL = Filter()


tutor = types.ModuleType("tutor")
tutor.hooks = types.SimpleNamespace(Filters=Filters)
sys.modules["tutor"] = tutor
sys.modules["tutor.hooks"] = tutor.hooks
sys.path.insert(0, sys.argv[1])

import tutorchschema.plugin  # noqa: E402  (registers with the stand-in)

env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
for (name, fn), _ in Filters.ENV_TEMPLATE_FILTERS.items:
    env.filters[name] = fn

config = json.load(sys.stdin)
for (name, value), _ in Filters.CONFIG_DEFAULTS.items:
    config.setdefault(name, value)


def render(value):
    if isinstance(value, str):
        return env.from_string(value).render(**config)
    if isinstance(value, dict):
        return {k: render(v) for k, v in value.items()}
    if isinstance(value, list):
        return [render(v) for v in value]
    return value


for _ in range(10):
    rendered = {k: render(v) for k, v in config.items()}
    if rendered == config:
        break
    config = rendered
else:
    sys.exit("the configuration does not settle")

patches = {}
for (name, text), _ in Filters.ENV_PATCHES.items:
    out = env.from_string(text).render(**config)
    patches[name] = list(yaml.safe_load_all(out))

tasks = [[service, script, priority] for (service, script), priority in Filters.CLI_DO_INIT_TASKS.items]
do = {}
for fn, _ in Filters.CLI_DO_COMMANDS.items:
    do[fn.name] = fn.callback(("status", "--format", "json"))

json.dump(
    {
        "config": config,
        "patches": patches,
        "init_tasks": tasks,
        "do": do,
        "images_pull": [[n, render(i)] for (n, i), _ in Filters.IMAGES_PULL.items],
    },
    sys.stdout,
)
