"""Where the time of one dbt command goes: dbt's own work or the database's.

Reads what every dbt command leaves behind: run_results.json (each node's
execution time and the run's elapsed time) and the debug log (each SQL
statement's duration, `SQL status: OK in 0.262 seconds`, after the
`On <node id>: ...` line of the same thread that sent it). With the wall time
of the command this splits it into

  start and finish   wall - elapsed: importing dbt, reading the project and
                     manifest, writing the artifacts at the end
  node seconds       the sum of the nodes' execution times (more than the
                     elapsed time when threads overlap)
  sql seconds        the part of it the database spent on statements
  dbt per node       (node seconds - sql seconds) / nodes: dbt's own work per
                     node (rendering, materialization logic, adapter calls)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_STATEMENT = re.compile(r"\[(?P<thread>[^\]]+)\]: On (?P<node>[\w.\-]+): ")
_STATUS = re.compile(r"\[(?P<thread>[^\]]+)\]: SQL status: .*? in (?P<seconds>[\d.]+) seconds")


def sql_seconds_by_node(log_text: str) -> dict[str, float]:
    """Seconds of SQL per node id in a dbt debug log (one command's part of it)."""
    current: dict[str, str] = {}
    seconds: dict[str, float] = {}
    for line in _ANSI.sub("", log_text).splitlines():
        statement = _STATEMENT.search(line)
        if statement:
            current[statement["thread"]] = statement["node"]
            continue
        status = _STATUS.search(line)
        if status and status["thread"] in current:
            node = current[status["thread"]]
            seconds[node] = seconds.get(node, 0.0) + float(status["seconds"])
    return seconds


@dataclass
class TimeSplit:
    wall: float
    start_and_finish: float
    nodes: int
    node_seconds: float
    sql_seconds: float
    slowest: list[tuple[str, float, float]] = field(default_factory=list)

    @property
    def dbt_per_node(self) -> float:
        return (self.node_seconds - self.sql_seconds) / self.nodes if self.nodes else 0.0

    def as_dict(self) -> dict:
        return {
            "wall_seconds": round(self.wall, 2),
            "start_and_finish_seconds": round(self.start_and_finish, 2),
            "nodes": self.nodes,
            "node_seconds": round(self.node_seconds, 2),
            "sql_seconds": round(self.sql_seconds, 2),
            "dbt_seconds_per_node": round(self.dbt_per_node, 3),
            "slowest_nodes": [
                {"node": node, "seconds": round(total, 2), "sql_seconds": round(sql, 2)}
                for node, total, sql in self.slowest
            ],
        }


def split_time(wall: float, run_results: dict, log_text: str, slowest: int = 5) -> TimeSplit:
    """The split of one dbt command (see the module docstring)."""
    sql = sql_seconds_by_node(log_text)
    nodes = [
        (result["unique_id"], float(result["execution_time"])) for result in run_results["results"]
    ]
    ranked = sorted(nodes, key=lambda node: -node[1])[:slowest]
    return TimeSplit(
        wall=wall,
        start_and_finish=max(wall - float(run_results["elapsed_time"]), 0.0),
        nodes=len(nodes),
        node_seconds=sum(seconds for _, seconds in nodes),
        sql_seconds=sum(sql.get(node, 0.0) for node, _ in nodes),
        slowest=[(node_name(node), seconds, sql.get(node, 0.0)) for node, seconds in ranked],
    )


def node_name(unique_id: str) -> str:
    """model.lead_handoff.dim_leads -> dim_leads; a data test's id ends in a hash
    (test.lead_handoff.not_null_dim_leads_lead_id.5c1b3a2e0f): its name is before it."""
    parts = unique_id.split(".")
    return parts[2] if parts[0] == "test" and len(parts) > 3 else parts[-1]
