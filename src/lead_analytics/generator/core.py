"""Sample CRM/MA exports for the lead-handoff project: the library behind
``lead-analytics generate`` (``lead_analytics.commands.generate``).

``generate_exports(config, out_dir)`` runs the simulation (``generator_sim``) and writes
the seven files of the export contract (``lead_analytics.contract``) with their raw-label
mess: mixed English/Japanese labels, four timestamp styles, booleans spelled several
ways, numbers with thousands separators, CP932 for chosen files and, unless disabled,
a few dirty rows the loader must quarantine. Same config -> byte-identical files.

``export_at`` / ``changes_since`` write the same simulated world as exported at an earlier
instant, or only the rows new or changed between two instants (a daily delta): rows are
selected from the whole world (``TableSpec.select``), the columns that change over time
(lead status/owner/updated_at/BANT, opportunity stage/closed/won/closed_at/amount, user
is_active) are derived as of the instant.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from lead_analytics import contract
from lead_analytics.generator import vocab as V
from lead_analytics.generator.calendar import add_months
from lead_analytics.generator.format import (
    DirtyRow,
    TableSpec,
    TimeFormatter,
    ids,
    integers,
    labels,
    null_strings,
    with_separators,
    write_table,
)
from lead_analytics.generator.lifecycle import Simulation, opportunity_state
from lead_analytics.generator.sim import OWNER, STATUS, GeneratorConfig, weighted_codes

__all__ = [
    "DEFAULT_CP932_FILES",
    "FileSummary",
    "GeneratorConfig",
    "default_export_instant",
    "generate_exports",
    "resolve_instants",
    "to_epoch",
]

DEFAULT_CP932_FILES = ("users.csv",)
TOKYO = dt.timezone(dt.timedelta(hours=9), "JST")
STEPS = 6 + 7  # simulation steps + files written, for progress bars
BAD_TIMESTAMPS = ("2025-13-45 25:00", "昨日", "2025/02/30 10:00", "N/A", "31/12/2025 10:00")
# Per-file timestamp style shares: (+09:00, Z, no offset, YYYY/MM/DD HH:MM[:SS]).
TS_SHARES = {
    "leads": (0.80, 0.08, 0.06, 0.06),
    "lead_history": (0.84, 0.06, 0.05, 0.05),
    "activities": (0.72, 0.05, 0.05, 0.18),
    "marketing_events": (0.60, 0.35, 0.05, 0.0),
    "opportunities": (0.85, 0.05, 0.05, 0.05),
}
# Dirty-row kinds per file; every kind appears at least once when dirty rows are on.
DIRTY_RATE = {
    "leads": 0.0008,
    "lead_history": 0.0004,
    "activities": 0.0004,
    "marketing_events": 0.0004,
    "opportunities": 0.001,
}


@dataclasses.dataclass(frozen=True)
class FileSummary:
    filename: str
    rows: int
    bytes: int
    encoding: str
    dirty_rows: int


class LabelSampler:
    """Raw labels for canonical codes: ``options[c]`` is a list of (label, weight)."""

    def __init__(self, options: Sequence[Sequence[tuple[str, float]]]) -> None:
        self.vocab: list[str] = []
        self.offset = []
        self.cdf = []
        for opts in options:
            self.offset.append(len(self.vocab))
            self.vocab += [label for label, _ in opts]
            w = np.array([w for _, w in opts], dtype=float)
            self.cdf.append(np.cumsum(w / w.sum()))

    def sample(self, canonical: np.ndarray, u: np.ndarray) -> np.ndarray:
        out = np.full(len(canonical), -1, dtype=np.int32)
        for c, cdf in enumerate(self.cdf):
            sel = canonical == c
            pick = np.minimum(np.searchsorted(cdf, u[sel], side="right"), len(cdf) - 1)
            out[sel] = self.offset[c] + pick
        return out


def _width(n: int, minimum: int) -> int:
    return max(minimum, len(str(max(n, 1))))


def _masked(arr: pa.Array, valid: np.ndarray) -> pa.Array:
    valid = np.asarray(valid, dtype=bool)
    if valid.all():
        return arr
    return pc.if_else(pa.array(valid), arr, null_strings(len(valid)))


def _join(*parts, sep: str = "") -> pa.Array:
    return pc.binary_join_element_wise(*parts, sep)


def _bool_vocab() -> list[str]:
    return [label for pair in V.BOOL_LABELS for label in pair]


def _bools(values: np.ndarray, style: np.ndarray) -> pa.Array:
    """values: 1 true, 0 false, -1 null; style: index into BOOL_LABELS."""
    values = np.asarray(values)
    code = np.where(values < 0, -1, style * 2 + (values == 0))
    return labels(_bool_vocab(), code)


class ExportWriter:
    """Builds the per-file table specs from a finished simulation.

    ``at`` (epoch seconds, at most the simulation's export instant; None = that instant):
    the files as exported at that earlier instant. ``since``: only the rows new or changed
    at/after it (a delta export). Every per-row choice (ids, id widths, formats, dirty
    rows) is made for the whole simulated world first and rows are then selected, so a
    row reads the same in every export that contains it unless it changed in between.
    """

    def __init__(self, sim: Simulation, at: int | None = None, since: int | None = None) -> None:
        self.sim = sim
        cfg = sim.cfg
        self.rng = np.random.default_rng([cfg.seed, 20250401])  # formatting choices only
        self.tf = TimeFormatter(sim.cal_first, sim.cal_last)
        self.w_user = 4
        self.w_camp = 4
        if since is not None and at is None:
            at = sim.t_end
        self.at = at
        self.since = since

    def _in_window(self, t: np.ndarray) -> np.ndarray:
        """Rows visible at ``t``: before the export instant (and at/after ``since``)."""
        keep = t < self.at
        if self.since is not None:
            keep &= t >= self.since
        return keep

    def ts_style(self, name: str, n: int) -> np.ndarray:
        return weighted_codes(self.rng, TS_SHARES[name], n).astype(np.int8)

    def user_ids(self, user: np.ndarray) -> pa.Array:
        user = np.asarray(user)
        return _masked(ids("U", np.maximum(user, 0) + 1, self.w_user), user >= 0)

    def campaign_ids(self, camp: np.ndarray) -> pa.Array:
        camp = np.asarray(camp)
        return _masked(ids("CMP-", np.maximum(camp, 0) + 1, self.w_camp), camp >= 0)

    # ------------------------------------------------------------------ users
    def users(self) -> TableSpec:
        s, rng = self.sim, self.rng
        n = s.n_users
        roles = LabelSampler(V.ROLE_LABELS)
        role_code = roles.sample(s.u_role, rng.random(n))
        active = (s.u_active if self.at is None else s.u_leave > self.at).astype(np.int8)
        bstyle = np.zeros(n, dtype=np.int64)
        bstyle[rng.random(n) < 0.2] = 1
        team_vocab = list(V.TEAMS)

        def fmt(idx: np.ndarray) -> dict[str, pa.Array]:
            return {
                "user_id": ids("U", idx + 1, self.w_user),
                "name": pa.array([s.u_name[i] for i in idx], pa.string()),
                "team": labels(team_vocab, s.u_team[idx]),
                "role": labels(roles.vocab, role_code[idx]),
                "is_active": _bools(active[idx], bstyle[idx]),
                "manager_id": self.user_ids(s.u_manager[idx]),
            }

        spec = TableSpec(contract.USERS.filename, _columns(contract.USERS), n, fmt, ("name",))
        if self.at is not None:  # users who join later have no account yet; deltas: all
            spec.select(s.u_join < self.at)
        return spec

    # ------------------------------------------------------------------ campaigns
    def campaigns(self) -> TableSpec:
        s = self.sim
        n = s.n_campaigns
        ch_vocab = [label for pair in V.CAMPAIGN_CHANNEL_LABELS for label in pair]
        ch_code = s.c_channel.astype(np.int64) * 2 + s.c_label_style

        def fmt(idx: np.ndarray) -> dict[str, pa.Array]:
            return {
                "campaign_id": ids("CMP-", idx + 1, self.w_camp),
                "name": pa.array([s.c_name[i] for i in idx], pa.string()),
                "channel": labels(ch_vocab, ch_code[idx]),
                "started_at": self.tf.dates(s.c_start[idx]),
                "ended_at": self.tf.dates(s.c_end[idx], s.c_end[idx] >= 0),
                "cost": with_separators(s.c_cost[idx], s.c_cost_commas[idx], s.c_cost[idx] >= 0),
                "currency": labels(["JPY"], np.where(s.c_currency_null[idx], -1, 0)),
            }

        return TableSpec(
            contract.CAMPAIGNS.filename, _columns(contract.CAMPAIGNS), n, fmt, ("name", "cost")
        )

    # ------------------------------------------------------------------ leads
    def leads(self) -> TableSpec:
        s = self.sim
        n = s.n
        self.w_lead = _width(n + 1000, 7)
        style = self.ts_style("leads", n)
        industry_vocab = [x for ja, en, _, _ in V.INDUSTRIES for x in (ja, en)]
        industry_code = np.where(s.industry >= 0, s.industry * 2 + s.industry_en, -1)
        level_vocab = list(
            V.JOB_LEVEL_JA + V.JOB_LEVEL_JA_ALT + V.JOB_LEVEL_EN + V.JOB_LEVEL_EN_ALT
        )
        level_code = np.where(s.level_style < 4, s.level_style * 5 + s.level, -1)
        country_vocab = [c for c, _ in V.COUNTRIES]
        foreign = np.isin(s.country, [3, 4])
        pref_vocab = [p[0] for p in V.PREFECTURES]
        area_vocab = [p[2] for p in V.PREFECTURES]
        area_e164 = [p[2][1:] for p in V.PREFECTURES]
        sur_vocab = [r for _, r in V.SURNAMES]
        given_vocab = [r for _, r in V.GIVEN_NAMES]
        initial_vocab = [r[0] for _, r in V.GIVEN_NAMES]
        bstyle = s.bool_style
        opted = np.where(s.opted_null, -1, s.opted_out.astype(np.int8))
        if self.at is None:
            cur = {
                "label": s.cur_label,
                "owner": s.cur_owner,
                "updated": s.updated,
                "timeframe": s.timeframe,
            }
            bool_cols = {
                "budget_confirmed": s.budget,
                "authority_confirmed": s.authority,
                "need_confirmed": s.need,
            }
        else:
            cur = s.state_at(self.at)
            bool_cols = {
                "budget_confirmed": cur["budget"],
                "authority_confirmed": cur["authority"],
                "need_confirmed": cur["need"],
            }
        updated, timeframe = cur["updated"], cur["timeframe"]

        def fmt(idx: np.ndarray) -> dict[str, pa.Array]:
            m = len(idx)
            g, sn = s.given[idx], s.sur[idx]
            gi = labels(initial_vocab, g)
            sur = labels(sur_vocab, sn)
            giv = labels(given_vocab, g)
            num = pc.fill_null(integers(s.email_num[idx], s.email_num[idx] >= 0), "")
            local = pc.choose(
                pa.array(s.email_form[idx].astype(np.int8)),
                _join(_join(gi, sur, sep="."), num),
                _join(sur, giv, sep="."),
                _join(giv, sur, sep="."),
                _join(gi, sur),
            )
            domain = labels(s.company_domains, s.company[idx])
            email = _masked(_join(local, domain, sep="@"), ~s.email_null[idx])
            area = labels(area_vocab, s.pref[idx])
            a4, b4 = ids("", s.phone_a[idx], 4), ids("", s.phone_b[idx], 4)
            a3 = ids("", s.phone_a[idx] % 1000, 3)
            two = pa.array(np.array([len(x) == 2 for x in area_vocab])[s.pref[idx]])
            landline = pc.if_else(two, _join(area, a4, b4, sep="-"), _join(area, a3, b4, sep="-"))
            mobile = _join(
                labels(["090", "080", "070"], (s.mobile[idx] // 10 - 9) * -1), a4, b4, sep="-"
            )
            e164 = _join(
                pa.array(["+81"] * m, pa.string()),
                labels(area_e164, s.pref[idx]),
                pc.if_else(two, a4, a3),
                b4,
                sep="-",
            )
            digits = pc.replace_substring(landline, "-", "")
            phone = pc.choose(
                pa.array(s.phone_form[idx].astype(np.int8)),
                landline,
                mobile,
                e164,
                digits,
                null_strings(m),
            )
            out = {
                "lead_id": ids("L", idx + 1, self.w_lead),
                "created_at": self.tf.format(s.t0[idx], style[idx]),
                "updated_at": self.tf.format(updated[idx], style[idx]),
                "email": email,
                "phone": phone,
                "company_name": labels(s.company_names, s.company[idx]),
                "industry": labels(industry_vocab, industry_code[idx]),
                "employee_count": with_separators(s.emp[idx], s.emp_commas[idx], s.emp_valid[idx]),
                "job_title": labels(s.title_vocab, s.title[idx]),
                "job_level": labels(level_vocab, level_code[idx]),
                "country": labels(country_vocab, s.country[idx]),
                "region": _masked(labels(pref_vocab, s.pref[idx]), ~foreign[idx]),
                "lead_source": labels(s.source_vocab, s.source_code[idx]),
                "campaign_id": self.campaign_ids(s.lead_camp[idx]),
                "owner_id": self.user_ids(cur["owner"][idx]),
                "status": labels(s.status_vocab, cur["label"][idx]),
                "timeframe_months": integers(timeframe[idx], timeframe[idx] >= 0),
                "is_opted_out": _bools(opted[idx], bstyle[idx]),
            }
            for name, values in bool_cols.items():
                out[name] = _bools(values[idx], bstyle[idx])
            return out

        spec = TableSpec(
            contract.LEADS.filename,
            _columns(contract.LEADS),
            n,
            fmt,
            ("company_name", "employee_count", "job_title"),
        )
        fresh = self._fresh("L", n, self.w_lead)
        spec.dirty = self._dirty(
            "leads",
            n,
            [
                lambda: {},
                lambda: {"phone": "090-0000-0000", "job_title": "不明"},
                lambda: {"lead_id": next(fresh), "created_at": self._bad_ts()},
                lambda: {"lead_id": next(fresh), "updated_at": "昨日"},
                lambda: {"lead_id": None},
                lambda: {"lead_id": next(fresh), "is_opted_out": "maybe"},
                lambda: {"lead_id": next(fresh), "employee_count": "abc"},
            ],
        )
        if self.at is not None:  # created before; in a delta, created or updated since
            keep = s.t0 < self.at
            if self.since is not None:
                keep &= (s.t0 >= self.since) | (updated >= self.since)
            spec.select(keep)
        return spec

    # ------------------------------------------------------------------ history
    def history(self) -> TableSpec:
        s, rng = self.sim, self.rng
        h = s.h
        n = len(h["t"])
        self.w_hist = _width(n + 1000, 9)
        style = self.ts_style("lead_history", n)
        id_null = rng.random(n) < 0.02
        field_vocab = ["status", "owner", "created"]
        is_status = h["field"] == STATUS
        is_owner = h["field"] == OWNER

        def values(codes: np.ndarray, idx: np.ndarray) -> pa.Array:
            st = labels(s.status_vocab, np.where(is_status[idx], codes[idx], -1))
            us = self.user_ids(np.where(is_owner[idx], codes[idx], -1))
            return pc.if_else(pa.array(is_status[idx]), st, us)

        def fmt(idx: np.ndarray) -> dict[str, pa.Array]:
            return {
                "history_id": _masked(ids("H", idx + 1, self.w_hist), ~id_null[idx]),
                "lead_id": ids("L", h["lead"][idx] + 1, self.w_lead),
                "changed_at": self.tf.format(h["t"][idx], style[idx]),
                "field": labels(field_vocab, h["field"][idx]),
                "old_value": values(h["old"], idx),
                "new_value": values(np.where(is_status, h["label"], h["value"]), idx),
                "reason": labels(s.reason_vocab, h["reason"][idx]),
            }

        spec = TableSpec(contract.LEAD_HISTORY.filename, _columns(contract.LEAD_HISTORY), n, fmt)
        fresh = self._fresh("H", n, self.w_hist)
        with_id = np.flatnonzero(~id_null)
        spec.dirty = self._dirty(
            "lead_history",
            n,
            [
                lambda: {},
                lambda: {"reason": "重複登録"},
                lambda: {"history_id": next(fresh), "changed_at": self._bad_ts()},
                lambda: {"history_id": next(fresh), "changed_at": "昨日"},
                lambda: {"history_id": next(fresh), "lead_id": None},
            ],
            sources=with_id,
        )
        if self.at is not None:
            spec.select(self._in_window(np.maximum(h["t"], s.t0[h["lead"]])))
        return spec

    # ------------------------------------------------------------------ activities
    def activities(self) -> TableSpec:
        s, rng = self.sim, self.rng
        a = s.a
        n = len(a["t"])
        self.w_act = _width(n + 1000, 9)
        style = self.ts_style("activities", n)
        types = LabelSampler(V.ACTIVITY_TYPE_LABELS)
        type_code = types.sample(a["type"], rng.random(n))
        direction = np.where(rng.random(n) < 0.03, -1, a["direction"])
        auto = np.where((a["automated"] == 0) & (rng.random(n) < 0.03), -1, a["automated"])
        bstyle = weighted_codes(rng, (0.9, 0.07, 0.03, 0.0), n)

        def fmt(idx: np.ndarray) -> dict[str, pa.Array]:
            return {
                "activity_id": ids("A", idx + 1, self.w_act),
                "lead_id": ids("L", a["lead"][idx] + 1, self.w_lead),
                "user_id": self.user_ids(a["user"][idx]),
                "activity_type": labels(types.vocab, type_code[idx]),
                "direction": labels(V.DIRECTIONS, direction[idx]),
                "occurred_at": self.tf.format(a["t"][idx], style[idx]),
                "outcome": labels(V.OUTCOMES, a["outcome"][idx]),
                "duration_seconds": integers(a["duration"][idx], a["duration"][idx] >= 0),
                "is_automated": _bools(auto[idx], bstyle[idx]),
            }

        spec = TableSpec(contract.ACTIVITIES.filename, _columns(contract.ACTIVITIES), n, fmt)
        fresh = self._fresh("A", n, self.w_act)
        spec.dirty = self._dirty(
            "activities",
            n,
            [
                lambda: {},
                lambda: {"duration_seconds": "999"},
                lambda: {"activity_id": next(fresh), "occurred_at": self._bad_ts()},
                lambda: {"activity_id": next(fresh), "occurred_at": "昨日"},
                lambda: {"activity_id": None},
                lambda: {"activity_id": next(fresh), "lead_id": None},
                lambda: {"activity_id": next(fresh), "is_automated": "maybe"},
                lambda: {"activity_id": next(fresh), "duration_seconds": "abc"},
            ],
        )
        if self.at is not None:
            spec.select(self._in_window(np.maximum(a["t"], s.t0[a["lead"]])))
        return spec

    # ------------------------------------------------------------------ events
    def events(self) -> TableSpec:
        s, rng = self.sim, self.rng
        ev = s.ev
        n = len(ev["t"])
        self.w_ev = _width(n + 1000, 9)
        style = self.ts_style("marketing_events", n)
        kind_type = np.array([V.ET[k[1]] for k in V.KINDS])[ev["kind"]]
        type_vocab = list(V.EVENT_TYPES)
        type_code = kind_type.astype(np.int32)
        u = rng.random(n)
        for etype, label, share in V.EVENT_TYPE_VARIANTS:
            type_vocab.append(label)
            type_code = np.where(
                (kind_type == V.ET[etype]) & (u < share), len(type_vocab) - 1, type_code
            )

        def fmt(idx: np.ndarray) -> dict[str, pa.Array]:
            return {
                "event_id": ids("E", idx + 1, self.w_ev),
                "lead_id": ids("L", ev["lead"][idx] + 1, self.w_lead),
                "event_type": labels(type_vocab, type_code[idx]),
                "occurred_at": self.tf.format(ev["t"][idx], style[idx]),
                "asset": labels(s.asset_vocab, ev["asset"][idx]),
                "campaign_id": self.campaign_ids(ev["camp"][idx]),
            }

        spec = TableSpec(
            contract.MARKETING_EVENTS.filename, _columns(contract.MARKETING_EVENTS), n, fmt
        )
        fresh = self._fresh("E", n, self.w_ev)
        spec.dirty = self._dirty(
            "marketing_events",
            n,
            [
                lambda: {},
                lambda: {"asset": "/pricing?utm_source=dup"},
                lambda: {"event_id": next(fresh), "occurred_at": self._bad_ts()},
                lambda: {"event_id": next(fresh), "occurred_at": "昨日"},
                lambda: {"event_id": None},
                lambda: {"event_id": next(fresh), "lead_id": None},
            ],
        )
        if self.at is not None:
            # the MA tool attaches anonymous visits (before the lead existed) at creation
            spec.select(self._in_window(np.maximum(ev["t"], s.t0[ev["lead"]])))
        return spec

    # ------------------------------------------------------------------ opportunities
    def opportunities(self) -> TableSpec:
        s, rng = self.sim, self.rng
        o = s.o
        n = len(o["t"])
        self.w_opp = _width(n + 1000, 7)
        style = self.ts_style("opportunities", n)
        stage_vocab = [x for pair in (*V.OPEN_STAGES, V.WON_STAGE, V.LOST_STAGE) for x in pair]
        n_open = len(V.OPEN_STAGES)

        def stage_of(closed: np.ndarray, open_stage: np.ndarray) -> np.ndarray:
            return np.where(closed, np.where(o["won"], n_open, n_open + 1), open_stage)

        if self.at is None:
            is_closed, open_stage = o["closed"], o["open_stage"]
        else:  # closed after the instant = still open then, in the stage it had reached
            is_closed, open_stage = opportunity_state(o, self.at)
        stage_row = stage_of(is_closed, open_stage)
        stage_code = stage_row * 2 + (o["style"] == 1)
        commas = rng.random(n) < 0.3
        amount_ok = is_closed | (rng.random(n) >= 0.08)
        currency = np.where(rng.random(n) < 0.05, -1, 0)
        bstyle = weighted_codes(rng, V.BOOL_STYLE_SHARE, n)
        closed_at_ok = is_closed & (rng.random(n) >= 0.12)
        closed = is_closed.astype(np.int8)
        won = (is_closed & o["won"]).astype(np.int8)

        def fmt(idx: np.ndarray) -> dict[str, pa.Array]:
            lead = o["lead"][idx]
            return {
                "opportunity_id": ids("O", idx + 1, self.w_opp),
                "lead_id": _masked(ids("L", np.maximum(lead, 0) + 1, self.w_lead), lead >= 0),
                "owner_id": self.user_ids(o["owner"][idx]),
                "created_at": self.tf.format(o["t"][idx], style[idx]),
                "stage": labels(stage_vocab, stage_code[idx]),
                "amount": with_separators(o["amount"][idx], commas[idx], amount_ok[idx]),
                "currency": labels(["JPY"], currency[idx]),
                "close_date": self.tf.dates(o["t_close"][idx]),
                "is_closed": _bools(closed[idx], bstyle[idx]),
                "is_won": _bools(won[idx], bstyle[idx]),
                "closed_at": self.tf.format(o["t_close"][idx], style[idx], closed_at_ok[idx]),
            }

        spec = TableSpec(
            contract.OPPORTUNITIES.filename, _columns(contract.OPPORTUNITIES), n, fmt, ("amount",)
        )
        fresh = self._fresh("O", n, self.w_opp)
        spec.dirty = self._dirty(
            "opportunities",
            n,
            [
                lambda: {},
                lambda: {"opportunity_id": next(fresh), "amount": "abc"},
                lambda: {"opportunity_id": next(fresh), "created_at": self._bad_ts()},
            ],
        )
        if self.at is not None:
            keep = o["t"] < self.at
            if self.since is not None:  # created since, or stage / closed changed since
                was_closed, was_open = opportunity_state(o, self.since)
                changed = (stage_of(was_closed, was_open) != stage_row) | (was_closed != is_closed)
                keep &= (o["t"] >= self.since) | changed
            spec.select(keep)
        return spec

    # ------------------------------------------------------------------ dirty rows
    def _fresh(self, prefix: str, n: int, width: int):
        k = n
        while True:
            k += 1
            yield f"{prefix}{k:0{width}d}"

    def _bad_ts(self) -> str:
        return BAD_TIMESTAMPS[int(self.rng.integers(len(BAD_TIMESTAMPS)))]

    def _dirty(
        self,
        name: str,
        n: int,
        kinds: list[Callable[[], dict]],
        sources: np.ndarray | None = None,
    ) -> list[DirtyRow]:
        if not self.sim.cfg.dirty or n == 0:
            return []
        rng = self.rng
        count = max(len(kinds), round(DIRTY_RATE[name] * n))
        order = list(range(len(kinds))) + list(rng.integers(0, len(kinds), count - len(kinds)))
        pool = np.arange(n) if sources is None or len(sources) == 0 else sources
        rows = []
        for kind in order:
            src = int(pool[rng.integers(len(pool))])
            after = min(n - 1, src + int(rng.integers(0, 500)))
            rows.append(DirtyRow(after=after, source=src, changes=kinds[kind]()))
        rows.sort(key=lambda d: d.after)
        return rows


def _columns(f: contract.ExportFile) -> tuple[str, ...]:
    return tuple(c.name for c in f.columns)


Instant = dt.datetime | dt.date | str | int


def default_export_instant(config: GeneratorConfig) -> dt.datetime:
    """The simulation's export instant: 00:00 JST 30 days after lead creation ends."""
    day = add_months(config.start, config.months) + dt.timedelta(days=30)
    return dt.datetime.combine(day, dt.time(), TOKYO)


def to_epoch(value: Instant) -> int:
    """Epoch seconds of an instant: an ISO 8601 text or datetime (without an offset:
    Tokyo time), a date (00:00 JST) or epoch seconds; fractions of a second round up,
    so "before the instant" keeps its meaning for whole-second timestamps."""
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("z", "Z")):
            text = text[:-1] + "+00:00"
        value = dt.datetime.fromisoformat(text)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    if not isinstance(value, dt.datetime):
        raise TypeError(f"not an instant: {value!r}")
    if value.tzinfo is None:
        value = value.replace(tzinfo=TOKYO)
    return math.ceil(value.timestamp())


def resolve_instants(
    config: GeneratorConfig, export_at: Instant | None, changes_since: Instant | None
) -> tuple[int | None, int | None]:
    """(at, since) in epoch seconds for ``ExportWriter``; (None, None) = the plain export.

    ``export_at`` must be after the start of the period and not after the simulation's
    export instant; ``changes_since`` must be before ``export_at`` (default: that instant).
    Raises ValueError otherwise.
    """
    if export_at is None and changes_since is None:
        return None, None
    end = default_export_instant(config)
    t_end = to_epoch(end)
    t_start = to_epoch(config.start)
    at = t_end if export_at is None else to_epoch(export_at)
    if not t_start < at <= t_end:
        raise ValueError(
            f"the export instant must be after {config.start.isoformat()}T00:00:00+09:00 "
            f"(the start) and not after {end.isoformat()} (the end of the simulated period)"
        )
    since = None if changes_since is None else to_epoch(changes_since)
    if since is not None and since >= at:
        raise ValueError("the changes-since instant must be before the export instant")
    return at, since


def generate_exports(
    config: GeneratorConfig,
    out_dir: Path,
    cp932_files: Sequence[str] = DEFAULT_CP932_FILES,
    progress: Callable[[str], None] | None = None,
    export_at: Instant | None = None,
    changes_since: Instant | None = None,
) -> list[FileSummary]:
    """Simulate and write the seven contract files into ``out_dir``.

    ``export_at``: the files as the CRM/MA would have exported them at that earlier
    instant of the same simulated world (default: the simulation's export instant).
    ``changes_since``: only the rows new or changed at/after that instant (a delta
    export; users and campaigns are written in full). See ``resolve_instants``.
    """
    out_dir = Path(out_dir)
    at, since = resolve_instants(config, export_at, changes_since)
    sim = Simulation(config)
    sim.run(progress)
    writer = ExportWriter(sim, at, since)
    cp932 = {_filename(f) for f in cp932_files}
    builders = (
        writer.users,
        writer.campaigns,
        writer.leads,
        writer.history,
        writer.activities,
        writer.events,
        writer.opportunities,
    )
    summaries = []
    for build in builders:
        spec = build()
        encoding = "cp932" if spec.filename in cp932 else "utf-8"
        path = out_dir / spec.filename
        rows = write_table(spec, path, encoding)
        summaries.append(
            FileSummary(spec.filename, rows, path.stat().st_size, encoding, len(spec.dirty))
        )
        if progress is not None:
            progress(f"write {spec.filename}")
    order = {f.filename: i for i, f in enumerate(contract.EXPORT_FILES)}
    return sorted(summaries, key=lambda s: order[s.filename])


def _filename(name: str) -> str:
    name = Path(name).name
    return name if name.endswith(".csv") else f"{name}.csv"
