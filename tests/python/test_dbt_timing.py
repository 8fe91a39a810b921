"""The benchmark's split of a dbt command into dbt's own time and SQL time.

The log lines are in dbt 1.11's debug-log format (with the colour codes its
file log keeps); two threads interleave, as in a run with threads: 2."""

from __future__ import annotations

import pytest

from lead_analytics.dbt_timing import node_name, split_time, sql_seconds_by_node

A = "model.lead_handoff.int_a"
B = "model.lead_handoff.int_b"
C = "seed.lead_handoff.holidays"

LOG = f"""\
\x1b[0m00:57:52.100000 [debug] [Thread-1 (]: On {A}: BEGIN
\x1b[0m00:57:52.100100 [debug] [Thread-1 (]: SQL status: OK in 0.001 seconds
\x1b[0m00:57:52.100200 [debug] [Thread-2 (]: On {B}: /* {{"app": "dbt", "node_id": "{B}"}} */

        create temporary table "int_b__dbt_tmp" as (select 1)

\x1b[0m00:57:52.200000 [debug] [Thread-1 (]: On {A}: /* {{"app": "dbt"}} */
delete from "warehouse"."intermediate"."int_a" where lead_id in (select lead_id from x);
\x1b[0m00:57:52.700000 [debug] [Thread-2 (]: SQL status: OK in 0.600 seconds
\x1b[0m00:57:52.900000 [debug] [Thread-1 (]: SQL status: OK in 0.700 seconds
\x1b[0m00:57:53.000000 [debug] [Thread-1 (]: On {A}: COMMIT
\x1b[0m00:57:53.400000 [debug] [Thread-1 (]: SQL status: OK in 0.400 seconds
\x1b[0m00:57:53.500000 [debug] [MainThread]: SQL status: OK in 9.000 seconds
\x1b[0m00:57:53.600000 [debug] [Thread-2 (]: On {C}: COPY "warehouse"."seeds"."holidays" FROM 'x.csv'
\x1b[0m00:57:53.650000 [debug] [Thread-2 (]: SQL status: OK in 0.050 seconds
"""


def test_each_statement_counts_for_the_node_its_thread_last_named():
    seconds = sql_seconds_by_node(LOG)
    # int_a: BEGIN 0.001 + delete 0.700 + COMMIT 0.400 (its own thread's statuses,
    # not thread 2's 0.600 that arrives in between)
    assert seconds[A] == pytest.approx(1.101)
    # int_b: its create, 0.600, reported while thread 1 had named int_a
    assert seconds[B] == pytest.approx(0.600)
    # the seed on thread 2 after int_b; the MainThread status belongs to no node
    assert seconds[C] == pytest.approx(0.050)
    assert len(seconds) == 3


def test_the_split_of_a_command():
    run_results = {
        "elapsed_time": 2.0,
        "results": [
            {"unique_id": A, "execution_time": 1.3},
            {"unique_id": B, "execution_time": 0.7},
            {"unique_id": C, "execution_time": 0.1},
            {"unique_id": "model.lead_handoff.int_view", "execution_time": 0.2},
        ],
    }
    split = split_time(5.0, run_results, LOG, slowest=2)
    # start and finish: 5.0 s wall - 2.0 s elapsed
    assert split.start_and_finish == pytest.approx(3.0)
    assert split.nodes == 4
    # 1.3 + 0.7 + 0.1 + 0.2; SQL 1.101 + 0.600 + 0.050 (+ nothing logged for int_view)
    assert split.node_seconds == pytest.approx(2.3)
    assert split.sql_seconds == pytest.approx(1.751)
    # dbt's own time: (2.3 - 1.751) / 4 nodes
    assert split.dbt_per_node == pytest.approx(0.13725)
    assert split.slowest == [
        ("int_a", 1.3, pytest.approx(1.101)),
        ("int_b", 0.7, pytest.approx(0.6)),
    ]


def test_node_names():
    assert node_name("model.lead_handoff.dim_leads") == "dim_leads"
    # a data test's id ends in a hash; its name is the part before it
    assert (
        node_name("test.lead_handoff.not_null_dim_leads_lead_id.5c1b3a2e0f")
        == "not_null_dim_leads_lead_id"
    )
    assert node_name("unit_test.lead_handoff.dim_leads.lead_is_ignored") == "lead_is_ignored"
