"""Every per-lead incremental model lists every loaded input it depends on.

A per-lead model recomputes the leads with rows of newer loads in its inputs
(macros/incremental/incremental_by_lead.sql). The inputs are listed by hand in
each model; one left out is a silent error: the model would keep stale rows
for the leads that input changed (a user's new role would never move the
handoff scores, say). Checked here on the parsed project: for each per-lead
model, every loaded staging model it reads, directly or through other models,
is one of its inputs. Paths through int_as_of do not count: it only gives the
evaluation instant, and the as_of mechanism handles that.
tests/python/test_incremental_build.py checks the behaviour on real deltas.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from lead_analytics.dbt_cli import run_dbt

# the staging models whose rows carry the load that wrote them (load_id)
LOADED = {
    "stg_crm__leads",
    "stg_crm__activities",
    "stg_crm__lead_history",
    "stg_crm__opportunities",
    "stg_crm__users",
    "stg_ma__marketing_events",
}
NOT_FOLLOWED = {"int_as_of"}


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    target = tmp_path_factory.mktemp("parse")
    completed = run_dbt(
        ["parse", "--quiet"],
        extra_env={"DBT_TARGET_PATH": str(target), "DBT_LOG_PATH": str(target / "logs")},
        capture=True,
    )
    assert completed.returncode == 0, completed.stdout[-3000:]
    return json.loads((Path(target) / "manifest.json").read_text(encoding="utf-8"))


def per_lead_models(manifest: dict) -> dict[str, dict]:
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["config"].get("incremental_strategy") == "per_lead"
    }


def declared_inputs(node: dict) -> list[dict]:
    """The inputs given to reprocess_hook, from the rendered pre-hook."""
    hooks = [hook["sql"] for hook in node["config"]["pre-hook"]]
    found = [re.search(r"create_leads_to_reprocess\((\[.*\])", hook) for hook in hooks]
    lists = [json.loads(match.group(1)) for match in found if match]
    assert len(lists) == 1, (node["name"], hooks)
    return lists[0]


def loaded_ancestors(manifest: dict, node: dict) -> set[str]:
    nodes = manifest["nodes"]
    seen: set[str] = set()
    stack = list(node["depends_on"]["nodes"])
    while stack:
        unique_id = stack.pop()
        parent = nodes.get(unique_id)
        if unique_id in seen or parent is None or parent["name"] in NOT_FOLLOWED:
            continue
        seen.add(unique_id)
        stack.extend(parent["depends_on"].get("nodes", []))
    return {nodes[unique_id]["name"] for unique_id in seen} & LOADED


def test_there_are_per_lead_models_and_their_inputs_are_read(manifest):
    models = per_lead_models(manifest)
    assert len(models) >= 20, sorted(models)
    for name, node in models.items():
        inputs = declared_inputs(node)
        assert inputs, name
        # an input is a loaded model the model depends on, not a stray name
        ancestors = loaded_ancestors(manifest, node)
        assert {i["model"] for i in inputs} <= ancestors, (name, inputs, ancestors)


def test_every_loaded_model_a_per_lead_model_depends_on_is_one_of_its_inputs(manifest):
    missing = {
        name: sorted(loaded_ancestors(manifest, node) - {i["model"] for i in declared_inputs(node)})
        for name, node in per_lead_models(manifest).items()
    }
    assert not {name: inputs for name, inputs in missing.items() if inputs}


def test_the_links_of_the_user_input_are_models_the_model_depends_on(manifest):
    nodes = manifest["nodes"]
    for name, node in per_lead_models(manifest).items():
        parents = {nodes[p]["name"] for p in node["depends_on"]["nodes"] if p in nodes}
        for declared in declared_inputs(node):
            for link in declared.get("links", []):
                # the pre-hook reads it: dbt must build it first
                assert link["model"] in parents, (name, link)
