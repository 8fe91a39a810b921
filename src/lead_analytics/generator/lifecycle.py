"""Lead lifecycle of the generator: handoffs, rep behaviour, stages, opportunities.

Builds on ``generator_sim.SimulationBase`` (users, campaigns, leads, marketing events).
``run_round`` simulates one pass of sales work for many leads at once: handoff (owner
change), ignore-or-touch with a rep-specific delay in Tokyo business hours, call
attempts, accept/reject, SQL, meeting, opportunity and its outcome. Recycled leads may
come back as MQL (re-entries) and go through another round. ``finalize`` cuts
everything at the export instant and derives old values and the leads' current state;
``state_at`` derives that state at an earlier instant (for ``--export-at``) from the same
history and the same draws.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from lead_analytics.generator import vocab as V
from lead_analytics.generator.calendar import DAY, JST, ceil_minute
from lead_analytics.generator.sim import (
    ACTING,
    HOUR_WEIGHTS,
    INF,
    OWNER,
    STATUS,
    STYLE_JA,
    STYLE_SF,
    Rows,
    SimulationBase,
    group_index,
    grouped_cumsum,
    sigmoid,
    weighted_codes,
)


@dataclass(frozen=True)
class RoundParams:
    """The shares of one round of sales work (``Simulation.run_round``) that shape the
    marts most; the curves by lead quality (``sigmoid(a + b * q)``) and the delays stay
    beside the code that draws them. Defaults reproduce the demo's data exactly."""

    fast_track_sql_share: float = 0.55  # fast-tracked leads that enter at sql (else sal)
    sequence_share: float = 0.3  # MQL handoffs that get an automated email sequence
    sequence_step_hours: tuple[float, ...] = (0.05, 18.0, 45.0)  # business hours per step
    fast_track_ignore_factor: float = 0.25  # a fast-tracked lead is ignored this much less
    fast_track_delay_factor: float = 0.25  # ... and touched this much sooner
    outbound_ignore: float = 0.08  # a BDR's own call list is rarely ignored
    ignore_cap: float = 0.9
    late_touch_share: float = 0.2  # ignored leads touched after the window all the same
    late_touch_days: tuple[float, float] = (31.0, 75.0)
    overtime_share: float = 0.35  # first touches outside business hours
    reshuffle_share: float = 0.04  # leads reassigned though their rep stays
    attempt_type_weights: tuple[float, ...] = (0.68, 0.26, 0.02, 0.04)  # call, email, sms, linkedin
    unanswered_outcome_weights: tuple[float, ...] = (
        0.62,
        0.31,
        0.07,
    )  # no answer, voicemail, wrong number
    working_contacted_share: float = (
        0.5  # Salesforce-style orgs: Working - Contacted at first touch
    )
    disqualify_share: float = 0.3  # returned leads that are disqualified (else rejected)
    meeting_by_ae_share: float = 0.8
    web_meeting_share: float = 0.65
    owner_to_ae_share: float = 0.2  # opportunities whose lead moves to the AE
    opportunity_owned_by_ae_share: float = 0.8
    lost_recycle_share: float = 0.25  # lost deals back to nurture months later
    no_opportunity_recycle_share: float = 0.6
    ignored_recycle_share: float = 0.3


ROUND = RoundParams()


@dataclass
class Round:
    """The state of one round: the leads (local positions 0..size-1 index every array),
    who acts for them when, and the activities written at the end."""

    leads: np.ndarray
    handoff_at: np.ndarray
    rep: np.ndarray
    mode: np.ndarray
    q: np.ndarray
    style: np.ndarray
    channel: np.ndarray
    recycled: list = dataclasses.field(default_factory=list)
    acts: Rows = dataclasses.field(
        default_factory=lambda: Rows(
            local=(np.int64, 0),
            user=(np.int32, ACTING),
            type=(np.int8, 0),
            direction=(np.int8, 0),
            t=(np.int64, 0),
            outcome=(np.int8, -1),
            duration=(np.int32, -1),
            automated=(np.int8, 0),
        )
    )
    entry: np.ndarray = None  # stage entered at the handoff (fast track), else -1
    stage: np.ndarray = None
    end: np.ndarray = None  # when the lead left the rep's hands (INF: still open)
    first_touch_at: np.ndarray = None
    touched: np.ndarray = None
    reassigned_at: np.ndarray = None
    next_rep: np.ndarray = None
    contact_at: np.ndarray = None

    @property
    def size(self) -> int:
        return len(self.leads)

    @property
    def fast(self) -> np.ndarray:
        return self.mode == 1

    @property
    def outbound(self) -> np.ndarray:
        return self.mode == 2

    @property
    def inbound(self) -> np.ndarray:
        return self.mode != 2

    def acting(self, local: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Who acts for the leads at ``local`` at ``t``: the rep, or the next one."""
        return np.where(t >= self.reassigned_at[local], self.next_rep[local], self.rep[local])


class Simulation(SimulationBase):
    """The whole simulation: ``Simulation(config).run()`` then read its arrays."""

    # ================================================================== run
    def run(self, progress=None) -> None:
        steps = (
            self.build_users,
            self.build_campaigns,
            self.build_leads,
            self.build_events,
            self.lifecycle,
            self.finalize,
        )
        for step in steps:
            step()
            if progress is not None:
                progress(step.__name__)

    # ================================================================== lifecycle
    def status(self, leads: np.ndarray, t: np.ndarray, stage, reason=-1) -> None:
        m = len(leads)
        stage = np.broadcast_to(np.asarray(stage, dtype=np.int32), (m,))
        style = self.style[leads]
        label = self.status_code[stage, style]
        u = self.rng.random(m)
        for st, code in self.status_variant.items():
            share = 0.25 if st == V.ST["mql"] else 0.03
            chosen = (stage == st) & (u < share)
            if st == V.ST["mql"]:
                chosen &= style == STYLE_SF
            label = np.where(chosen, code, label)
        self.hist.add(lead=leads, t=t, field=STATUS, value=stage, label=label, reason=reason)

    def owner(self, leads: np.ndarray, t: np.ndarray, user: np.ndarray) -> None:
        self.hist.add(lead=leads, t=t, field=OWNER, value=user)

    def act(self, leads, user, type_, t, direction=0, outcome=-1, duration=-1, automated=0):
        self.acts.add(
            lead=leads,
            user=user,
            type=type_,
            t=t,
            direction=direction,
            outcome=outcome,
            duration=duration,
            automated=automated,
        )

    def recycle(self, leads: np.ndarray, t: np.ndarray, out: list, back_p: float = 0.7):
        if len(leads) == 0:
            return
        self.status(leads, t, V.ST["recycled"])
        back = self.rng.random(len(leads)) < back_p
        self.owner(leads[back], t[back], self.pick_users(self.marketing_users, t[back]))
        out.append((leads, t))

    def plan_handoff(self, t_mql: np.ndarray) -> np.ndarray:
        """Handoff instant after MQL: at once, same/next business day, or after sitting
        with marketing for a while; INF for MQLs marketing keeps."""
        rng = self.rng
        cal = self.cal
        m = len(t_mql)
        u = rng.random(m)
        immediate = t_mql + rng.integers(10, 600, m)
        manual = ceil_minute(cal.add_business_hours(t_mql, rng.uniform(0.2, 9, m)))
        batch = ceil_minute(
            cal.add_business_hours(
                t_mql + (rng.uniform(2, 21, m) * DAY).astype(np.int64), rng.uniform(0, 4, m)
            )
        )
        return np.where(
            u < 0.08, INF, np.where(u < 0.48, immediate, np.where(u < 0.82, manual, batch))
        )

    def lifecycle(self) -> None:
        rng = self.rng
        cal = self.cal
        n = self.n
        ST, CHN = V.ST, V.CH
        q, ch, t0 = self.q, self.ch, self.t0
        outbound = ch == CHN["outbound"]
        inbound = ~outbound

        # Salesforce-style "created" history rows (a field the loader ignores)
        created = np.flatnonzero((self.style == STYLE_SF) & (rng.random(n) < 0.3))
        self.hist.add(lead=created, t=t0[created], field=2)

        # marketing housekeeping: junk leads disqualified before any handoff
        junk = inbound & (rng.random(n) < 0.012 + 0.02 * (q < -1.0))
        jl = np.flatnonzero(junk)
        t_j = ceil_minute(cal.add_business_hours(t0[jl], rng.uniform(0.5, 30, len(jl))))
        self.status(
            jl,
            t_j,
            ST["disqualified"],
            self.reason_codes(V.DISQUALIFY_REASONS, len(jl), self.style[jl]),
        )

        # system auto-replies and marketing's own activities (not sales touches)
        auto = np.flatnonzero(
            np.isin(ch, [CHN["web_form"], CHN["content_download"], CHN["paid_ads"]])
        )
        user = np.where(rng.random(len(auto)) < 0.7, self.system_user, -1)
        outcome = np.where(rng.random(len(auto)) < 0.5, V.OC["sent"], -1)
        self.act(
            auto,
            user,
            V.AT["email"],
            t0[auto] + rng.integers(5, 90, len(auto)),
            outcome=outcome,
            automated=1,
        )
        ts = np.flatnonzero((ch == CHN["trade_show"]) & (rng.random(n) < 0.35))
        t_ty = ceil_minute(cal.add_business_hours(t0[ts], rng.uniform(0.2, 6, len(ts))))
        self.act(ts, self.init_owner[ts], V.AT["email"], t_ty)
        sem = np.flatnonzero(
            (ch == CHN["seminar"]) & (self.lead_event_t > 0) & (rng.random(n) < 0.25)
        )
        t_rm = ceil_minute(
            cal.add_business_hours(self.lead_event_t[sem] - 2 * DAY, rng.uniform(0, 9, len(sem)))
        )
        keep = t_rm > t0[sem]
        sem, t_rm = sem[keep], t_rm[keep]
        connected = rng.random(len(sem)) < 0.5
        self.act(
            sem,
            self.init_owner[sem],
            V.AT["call"],
            t_rm,
            outcome=np.where(connected, V.OC["connected"], V.OC["no_answer"]),
            duration=np.where(connected, rng.integers(40, 240, len(sem)), -1),
        )

        cand = inbound & ~junk
        t_mql, t_req = self.t_mql, self.t_req
        fast0 = cand & (t_req < INF) & (t_req <= t_mql)
        mql = cand & ~fast0 & (t_mql < INF)
        ml = np.flatnonzero(mql)
        self.status(ml, t_mql[ml], ST["mql"])
        plan = self.plan_handoff(t_mql[ml])
        routing = rng.integers(30, 300, len(ml))
        late_fast = t_req[ml] < plan
        t_h_m = np.where(late_fast, np.maximum(t_req[ml] + routing, t_mql[ml] + 1), plan)
        handed = t_h_m < INF
        kept = ml[~handed]
        t_keep = ceil_minute(
            cal.add_business_hours(
                t_mql[kept] + (rng.uniform(60, 150, len(kept)) * DAY).astype(np.int64),
                rng.uniform(0, 9, len(kept)),
            )
        )
        back = rng.random(len(kept)) < 0.3
        recycled: list = []
        self.recycle(kept[back], t_keep[back], recycled, back_p=0.0)
        quiet = np.flatnonzero(cand & ~fast0 & ~mql & (rng.random(n) < 0.08))
        t_q = ceil_minute(
            cal.add_business_hours(
                t0[quiet] + (rng.uniform(30, 120, len(quiet)) * DAY).astype(np.int64),
                rng.uniform(0, 9, len(quiet)),
            )
        )
        self.status(quiet, t_q, ST["recycled"])

        # lead-side ignore factor (channel quality, intent): scaled to average 2.1 over
        # the MQL handoffs, so cold leads (trade-show cards, ads) are ignored far more
        # often than a rep's propensity and hot ones far less
        factor = np.array(V.CHANNEL_IGNORE)[ch[ml[handed]]] * np.exp(-0.45 * q[ml[handed]])
        self.ignore_norm = float(factor.mean()) / 2.1 if len(factor) else 1.0
        fl = np.flatnonzero(fast0)
        ol = np.flatnonzero(outbound)
        hl = ml[handed]
        leads = np.concatenate([fl, hl, ol])
        t_h = np.concatenate(
            [t_req[fl] + rng.integers(30, 300, len(fl)), t_h_m[handed], ceil_minute(t0[ol])]
        )
        mode = np.concatenate(
            [
                np.ones(len(fl), np.int8),
                late_fast[handed].astype(np.int8),
                np.full(len(ol), 2, np.int8),
            ]
        )
        rep = np.concatenate(
            [self.route(fl, t_h[: len(fl)]), self.route(hl, t_h_m[handed]), self.init_owner[ol]]
        )
        recycled += self.run_round(leads, t_h, rep, mode)

        for _ in range(3):  # re-entries: recycled leads coming back as MQL
            if not recycled:
                break
            rl = np.concatenate([r[0] for r in recycled])
            rt = np.concatenate([r[1] for r in recycled])
            back = rng.random(len(rl)) < 0.3
            t_re = rt + (rng.uniform(20, 200, len(rl)) * DAY).astype(np.int64)
            sel = back & (t_re < self.t_end)
            rl, t_re = rl[sel], t_re[sel]
            if len(rl) == 0:
                break
            t_re = (
                (t_re + JST) // DAY * DAY
                - JST
                + weighted_codes(rng, HOUR_WEIGHTS, len(rl)) * 3600
                + rng.integers(0, 3600, len(rl))
            )
            t_re = np.maximum(t_re, rt[sel] + DAY)
            burst = rng.integers(1, 5, len(rl))
            bl = np.repeat(rl, burst)
            bt = np.repeat(t_re, burst) - (rng.random(len(bl)) * 14 * DAY).astype(np.int64)
            bt = np.maximum(bt, np.repeat(rt[sel], burst) + 3600)
            k, bt, bc, ba, ok = self._behaviour(bl, bt, np.full(len(bl), 1.0))
            self.ev_parts.append((bl[ok], bt[ok], k[ok], bc[ok], ba[ok]))
            trig = np.array(
                [
                    V.K["pv_pricing"],
                    V.K["content_download"],
                    V.K["demo_request"],
                    V.K["quote_request"],
                ]
            )
            tk = trig[weighted_codes(rng, (0.45, 0.4, 0.1, 0.05), len(rl))]
            k, tt, tc, ta, ok = self._assets(tk.astype(np.int8), t_re)
            self.ev_parts.append((rl, tt, k, tc, ta))
            fast = np.isin(tk, V.REQUEST_KINDS)
            t_m = t_re + rng.integers(0, 900, len(rl))
            nf = ~fast
            self.status(rl[nf], t_m[nf], ST["mql"])
            plan = np.where(fast, t_re + rng.integers(30, 300, len(rl)), self.plan_handoff(t_m))
            go = plan < INF
            rl, plan, fast = rl[go], plan[go], fast[go]
            recycled = self.run_round(rl, plan, self.route(rl, plan), fast.astype(np.int8))

    def run_round(
        self, leads: np.ndarray, handoff_at: np.ndarray, rep: np.ndarray, mode: np.ndarray
    ) -> list:
        """One pass of sales work on ``leads`` handed over at ``handoff_at`` to ``rep``.

        mode 0: MQL handoff; 1: fast-track (demo/quote/contact request); 2: BDR cold-call
        list (the lead is already owned by the BDR; no handoff row). Returns the
        recycled (leads, instants) for possible re-entry. The steps below draw from the
        random generator in a fixed order: the same seed gives the same files.
        """
        if len(leads) == 0:
            return []
        r = self._start_round(leads, handoff_at, rep, mode)
        self._sequence_emails(r)
        self._first_touch(r)
        self._plan_reassignment(r)
        touched = np.flatnonzero(r.touched)
        reached = self._attempts(r, touched)
        self._not_reached(r, touched[~reached])
        accepted = self._accept_or_reject(r, touched[reached])
        qualified, sql_at = self._qualify(r, accepted)
        self._meetings_and_opportunities(r, qualified, sql_at)
        self._never_touched(r)
        self._write_reassignments(r)
        self._write_activities(r)
        return r.recycled

    def _start_round(self, leads, handoff_at, rep, mode) -> Round:
        """The handoff rows: owner (not for a BDR's own list), the fast track's stage."""
        P = ROUND
        r = Round(
            leads=leads.astype(np.int32),
            handoff_at=handoff_at.astype(np.int64),
            rep=rep.astype(np.int32),
            mode=mode,
            q=self.q[leads],
            style=self.style[leads],
            channel=self.ch[leads],
        )
        m = r.size
        self.owner(r.leads[r.inbound], r.handoff_at[r.inbound], r.rep[r.inbound])
        r.entry = np.full(m, -1, dtype=np.int32)
        r.entry[r.fast] = np.where(
            self.rng.random(int(r.fast.sum())) < P.fast_track_sql_share,
            V.ST["sql"],
            V.ST["sal"],
        )
        entered = r.entry >= 0
        self.status(r.leads[entered], r.handoff_at[entered], r.entry[entered])
        r.stage = np.where(entered, r.entry, V.ST["mql"])
        r.end = np.full(m, INF, dtype=np.int64)
        return r

    def _sequence_emails(self, r: Round) -> None:
        """Automated sequence emails sent in the rep's name (not sales touches)."""
        P, rng, AT, OC = ROUND, self.rng, V.AT, V.OC
        seq = np.flatnonzero((r.mode == 0) & (rng.random(r.size) < P.sequence_share))
        steps = rng.integers(1, 4, len(seq))
        local = np.repeat(seq, steps)
        sent = self.cal.add_business_hours(
            np.repeat(r.handoff_at[seq], steps),
            np.array(P.sequence_step_hours)[group_index(steps)] + rng.uniform(0, 1, len(local)),
        )
        r.acts.add(
            local=local,
            user=r.rep[local],
            type=AT["email"],
            t=sent,
            outcome=OC["sent"],
            automated=1,
        )

    def _first_touch(self, r: Round) -> None:
        """Ignored or touched, and when the first touch comes (late touches included)."""
        P, rng, cal, m = ROUND, self.rng, self.cal, r.size
        factor = np.array(V.CHANNEL_IGNORE)[r.channel] * np.exp(-0.45 * r.q) / self.ignore_norm
        p_ignore = self.u_ignore[r.rep] * factor
        p_ignore = np.where(
            r.fast,
            P.fast_track_ignore_factor * p_ignore,
            np.where(r.outbound, P.outbound_ignore, p_ignore),
        )
        ignored = rng.random(m) < np.clip(p_ignore, 0, P.ignore_cap)
        late = ignored & (rng.random(m) < P.late_touch_share)
        delay = rng.lognormal(np.log(self.u_speed[r.rep]), 0.8)
        delay = np.where(
            r.fast,
            P.fast_track_delay_factor * delay,
            np.where(r.outbound, rng.uniform(0, 30, m), delay),
        )
        first = cal.add_business_hours(r.handoff_at, delay)
        first_late = cal.add_business_hours(
            r.handoff_at + (rng.uniform(*P.late_touch_days, m) * DAY).astype(np.int64),
            rng.uniform(0, 9, m),
        )
        r.first_touch_at = ceil_minute(
            cal.overtime(np.where(late, first_late, first), rng.random(m) < P.overtime_share)
        )
        r.touched = ~ignored | late

    def _plan_reassignment(self, r: Round) -> None:
        """The rep leaves the company, or a random reshuffle: who acts from when."""
        P, rng, cal, m = ROUND, self.rng, self.cal, r.size
        leave = self.u_leave[r.rep]
        at = np.where(
            leave < INF,
            np.maximum(r.handoff_at + 3600, leave - (rng.uniform(0, 5, m) * DAY).astype(np.int64)),
            INF,
        )
        shuffle = (leave == INF) & (rng.random(m) < P.reshuffle_share)
        r.reassigned_at = np.where(
            shuffle, ceil_minute(cal.add_business_hours(r.handoff_at, rng.uniform(1, 120, m))), at
        )
        r.next_rep = r.rep.copy()
        has = np.flatnonzero(r.reassigned_at < INF)
        r.next_rep[has] = self.pick_group(self.u_group[r.rep[has]], r.reassigned_at[has])

    def _attempts(self, r: Round, touched: np.ndarray) -> np.ndarray:
        """Calls, emails, SMS until the lead is reached (or not); returns who was reached.
        Sets ``contact_at``, the instant of the last attempt (or of the reply)."""
        rng, cal, AT, OC = self.rng, self.cal, V.AT, V.OC
        q, outbound = r.q[touched], r.outbound[touched]
        p_reach = np.where(
            r.fast[touched],
            sigmoid(2.2 + 0.5 * q),
            np.where(outbound, sigmoid(0.1 + 0.5 * q), sigmoid(0.9 + 0.6 * q)),
        )
        reached = rng.random(len(touched)) < p_reach
        k_reach = np.minimum(rng.geometric(np.where(outbound, 0.3, 0.5)), 6)
        attempts = np.where(reached, k_reach, rng.integers(2, 7, len(touched)))
        rows = np.repeat(touched, attempts)
        j = group_index(attempts)
        gap = np.where(
            j == 0, 0, (rng.lognormal(np.log(10), 0.8, len(rows)) * 3600).astype(np.int64)
        )
        at = cal.from_business(
            np.repeat(cal.to_business(r.first_touch_at[touched]), attempts)
            + grouped_cumsum(gap, attempts)
        )
        at = ceil_minute(np.where(j == 0, r.first_touch_at[rows], at))
        last = j == np.repeat(attempts, attempts) - 1
        contact = last & np.repeat(reached, attempts)
        n = len(rows)
        kind = np.array([AT["call"], AT["email"], AT["sms"], AT["linkedin"]])[
            weighted_codes(rng, ROUND.attempt_type_weights, n)
        ]
        kind = np.where(r.outbound[rows] & (rng.random(n) < 0.95), AT["call"], kind)
        kind = np.where(contact, np.where(rng.random(n) < 0.85, AT["call"], AT["email"]), kind)
        outcome = np.array([OC["no_answer"], OC["voicemail"], OC["wrong_number"]])[
            weighted_codes(rng, ROUND.unanswered_outcome_weights, n)
        ]
        outcome = np.where(contact, OC["connected"], outcome)
        outcome = np.where(
            kind == AT["call"], outcome, np.where(kind == AT["email"], OC["sent"], -1)
        )
        outcome = np.where((kind == AT["email"]) & (rng.random(n) < 0.6), -1, outcome)
        duration = np.select(
            [
                outcome == OC["connected"],
                outcome == OC["voicemail"],
                outcome == OC["wrong_number"],
                (outcome == OC["no_answer"]) & (rng.random(n) < 0.4),
            ],
            [
                np.clip(rng.lognormal(np.log(300), 0.7, n), 30, 3600).astype(np.int64),
                rng.integers(15, 60, n),
                rng.integers(5, 40, n),
                rng.integers(5, 30, n),
            ],
            -1,
        )
        r.acts.add(local=rows, type=kind, t=at, outcome=outcome, duration=duration)
        r.contact_at = np.zeros(r.size, dtype=np.int64)
        r.contact_at[rows[last]] = at[last]
        emailed = rows[contact & (kind == AT["email"])]
        reply = ceil_minute(
            cal.add_business_hours(r.contact_at[emailed], rng.uniform(0.3, 16, len(emailed)))
        )
        r.acts.add(local=emailed, type=AT["email"], t=reply, direction=1, outcome=OC["replied"])
        r.contact_at[emailed] = reply

        # Salesforce-style orgs flip to "Working - Contacted" at the first touch
        early = touched[
            (r.style[touched] == STYLE_SF)
            & (r.entry[touched] < 0)
            & r.inbound[touched]
            & (rng.random(len(touched)) < ROUND.working_contacted_share)
        ]
        self.status(r.leads[early], r.first_touch_at[early], V.ST["sal"])
        r.stage[early] = V.ST["sal"]
        return reached

    def _not_reached(self, r: Round, unreached: np.ndarray) -> None:
        """Never reached: rejected as unreachable, back to nurture, or left open."""
        rng, cal = self.rng, self.cal
        at = ceil_minute(
            cal.add_business_hours(r.contact_at[unreached], rng.uniform(2, 60, len(unreached)))
        )
        u = rng.random(len(unreached))
        rejected = u < np.where(r.outbound[unreached], 0.3, 0.45)
        recycled = ~rejected & (u < 0.75)
        self.status(
            r.leads[unreached[rejected]],
            at[rejected],
            V.ST["rejected"],
            self.reason_vocab.index(V.UNREACHABLE_REASON),
        )
        self.recycle(r.leads[unreached[recycled]], at[recycled], r.recycled)
        r.end[unreached[rejected | recycled]] = at[rejected | recycled]
        self._later_recycle(unreached[rejected], at[rejected], r.leads, r.recycled)

    def _accept_or_reject(self, r: Round, reached: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Reached: accepted (sal), or rejected / disqualified with a reason. Returns the
        accepted leads (local positions) and when they were accepted."""
        rng, cal = self.rng, self.cal
        decided_at = ceil_minute(
            cal.add_business_hours(r.contact_at[reached], rng.uniform(0.05, 4, len(reached)))
        )
        q = r.q[reached]
        p_accept = np.where(
            r.fast[reached],
            sigmoid(2.2 + 0.8 * q),
            np.where(r.outbound[reached], sigmoid(-0.2 + 0.9 * q), sigmoid(0.6 + 0.9 * q)),
        )
        accept = rng.random(len(reached)) < p_accept
        returned, returned_at = reached[~accept], decided_at[~accept]
        disqualify = rng.random(len(returned)) < ROUND.disqualify_share
        self.status(
            r.leads[returned[~disqualify]],
            returned_at[~disqualify],
            V.ST["rejected"],
            self.reason_codes(
                V.REJECT_REASONS, int((~disqualify).sum()), r.style[returned[~disqualify]]
            ),
        )
        self.status(
            r.leads[returned[disqualify]],
            returned_at[disqualify],
            V.ST["disqualified"],
            self.reason_codes(
                V.DISQUALIFY_REASONS, int(disqualify.sum()), r.style[returned[disqualify]]
            ),
        )
        r.end[returned] = returned_at
        self._later_recycle(returned[~disqualify], returned_at[~disqualify], r.leads, r.recycled)
        return reached[accept], decided_at[accept]

    def _qualify(self, r: Round, accepted: tuple[np.ndarray, np.ndarray]):
        """Accepted leads become SQLs (a meeting booked by call) or are closed later:
        recycled, rejected or disqualified. Returns the SQLs and their SQL instants."""
        rng, cal, AT, OC, ST = self.rng, self.cal, V.AT, V.OC, V.ST
        sal, sal_at = accepted
        need = r.stage[sal] < ST["sal"]
        self.status(r.leads[sal[need]], sal_at[need], ST["sal"])
        already = r.entry[sal] == ST["sql"]
        p_sql = sigmoid(-1.4 + 1.0 * r.q[sal] + 1.2 * r.fast[sal] + 0.6 * r.outbound[sal])
        ok = already | (rng.random(len(sal)) < p_sql)
        sql_at = np.where(
            already,
            sal_at,
            ceil_minute(cal.add_business_hours(sal_at, rng.lognormal(np.log(20), 0.9, len(sal)))),
        )
        new = ok & ~already
        new_sql = sal[new]
        mid = ceil_minute(
            cal.from_business((cal.to_business(sal_at[new]) + cal.to_business(sql_at[new])) // 2)
        )
        follow_up = rng.random(len(new_sql)) < 0.5
        r.acts.add(
            local=new_sql[follow_up],
            type=AT["email"],
            t=np.maximum(mid[follow_up], sal_at[new][follow_up]),
        )
        r.acts.add(
            local=new_sql,
            type=AT["call"],
            t=sql_at[new],
            outcome=OC["meeting_booked"],
            duration=rng.integers(600, 1500, len(new_sql)),
        )
        self.status(r.leads[new_sql], sql_at[new], ST["sql"])

        stalled, stalled_from = sal[~ok], sal_at[~ok]
        closed_at = ceil_minute(
            cal.add_business_hours(stalled_from, rng.lognormal(np.log(60), 0.8, len(stalled)))
        )
        mid = ceil_minute(
            cal.from_business((cal.to_business(stalled_from) + cal.to_business(closed_at)) // 2)
        )
        connected = rng.random(len(stalled)) < 0.5
        r.acts.add(
            local=stalled,
            type=AT["call"],
            t=mid,
            outcome=np.where(connected, OC["connected"], OC["no_answer"]),
            duration=np.where(connected, rng.integers(60, 900, len(stalled)), -1),
        )
        u = rng.random(len(stalled))
        recycle, reject = u < 0.55, (u >= 0.55) & (u < 0.85)
        disqualify = u >= 0.85
        self.recycle(r.leads[stalled[recycle]], closed_at[recycle], r.recycled)
        self.status(
            r.leads[stalled[reject]],
            closed_at[reject],
            ST["rejected"],
            self.reason_codes(V.LATE_REASONS, int(reject.sum()), r.style[stalled[reject]]),
        )
        self.status(
            r.leads[stalled[disqualify]],
            closed_at[disqualify],
            ST["disqualified"],
            self.reason_codes(
                V.DISQUALIFY_REASONS, int(disqualify.sum()), r.style[stalled[disqualify]]
            ),
        )
        r.end[stalled] = closed_at
        return sal[ok], sql_at[ok]

    def _meetings_and_opportunities(self, r: Round, sqls: np.ndarray, sql_at: np.ndarray):
        """SQL: a meeting with an AE, then an opportunity won or lost (or back to nurture)."""
        P, rng, cal, AT, OC, ST = ROUND, self.rng, self.cal, V.AT, V.OC, V.ST
        ae = self.pick_ae(r.leads[sqls], sql_at)
        meeting_at = ceil_minute(
            cal.overtime(
                cal.add_business_hours(sql_at, rng.lognormal(np.log(14), 0.9, len(sqls))),
                rng.random(len(sqls)) < 0.1,
            )
        )
        by_ae = rng.random(len(sqls)) < P.meeting_by_ae_share
        kind = np.where(
            rng.random(len(sqls)) < P.web_meeting_share, AT["web_meeting"], AT["meeting"]
        )
        r.acts.add(
            local=sqls,
            user=np.where(by_ae, ae, ACTING),
            type=kind,
            t=meeting_at,
            outcome=OC["completed"],
            duration=rng.integers(30, 91, len(sqls)) * 60,
        )
        has_opp = rng.random(len(sqls)) < sigmoid(1.4 + 0.6 * r.q[sqls] + 0.3 * r.fast[sqls])
        opps = sqls[has_opp]
        opened_at = ceil_minute(
            cal.add_business_hours(meeting_at[has_opp], rng.uniform(0.2, 20, len(opps)))
        )
        self.status(r.leads[opps], opened_at, ST["opportunity"])
        r.end[opps] = opened_at
        opp_ae = ae[has_opp]
        to_ae = (rng.random(len(opps)) < P.owner_to_ae_share) & (
            opp_ae != r.acting(opps, opened_at)
        )
        self.owner(r.leads[opps[to_ae]], opened_at[to_ae], opp_ae[to_ae])
        opp_owner = np.where(
            rng.random(len(opps)) < P.opportunity_owned_by_ae_share,
            opp_ae,
            r.acting(opps, opened_at),
        )
        days = np.clip(rng.lognormal(np.log(45), 0.6, len(opps)), 7, 365)
        close_at = ceil_minute(
            cal.add_business_hours(
                opened_at + (days * DAY).astype(np.int64), rng.uniform(0, 9, len(opps))
            )
        )
        won = rng.random(len(opps)) < sigmoid(-2.3 + 0.55 * r.q[opps] + 0.3 * r.fast[opps])
        self.opps.add(
            lead=r.leads[opps], owner=opp_owner, t=opened_at, t_close=close_at, won=won, q=r.q[opps]
        )
        japanese = r.style[opps] == STYLE_JA
        self.status(r.leads[opps[japanese & won]], close_at[japanese & won], ST["won"])
        self.status(r.leads[opps[japanese & ~won]], close_at[japanese & ~won], ST["lost"])
        lost = np.flatnonzero(~won & (rng.random(len(opps)) < P.lost_recycle_share))
        recycle_at = ceil_minute(
            cal.add_business_hours(
                close_at[lost] + (rng.uniform(30, 120, len(lost)) * DAY).astype(np.int64),
                rng.uniform(0, 9, len(lost)),
            )
        )
        self.recycle(r.leads[opps[lost]], recycle_at, r.recycled)

        no_opp, no_opp_meeting_at = sqls[~has_opp], meeting_at[~has_opp]
        closed_at = ceil_minute(
            cal.add_business_hours(
                no_opp_meeting_at + (rng.uniform(3, 25, len(no_opp)) * DAY).astype(np.int64),
                rng.uniform(0, 9, len(no_opp)),
            )
        )
        recycle = rng.random(len(no_opp)) < P.no_opportunity_recycle_share
        self.recycle(r.leads[no_opp[recycle]], closed_at[recycle], r.recycled)
        self.status(
            r.leads[no_opp[~recycle]],
            closed_at[~recycle],
            ST["rejected"],
            self.reason_codes(V.LATE_REASONS, int((~recycle).sum()), r.style[no_opp[~recycle]]),
        )
        r.end[no_opp] = closed_at

    def _never_touched(self, r: Round) -> None:
        """Some ignored leads go back to marketing's nurture after weeks or months."""
        rng, cal = self.rng, self.cal
        untouched = np.flatnonzero(~r.touched)
        back = untouched[rng.random(len(untouched)) < ROUND.ignored_recycle_share]
        back_at = ceil_minute(
            cal.add_business_hours(
                r.handoff_at[back] + (rng.uniform(45, 120, len(back)) * DAY).astype(np.int64),
                rng.uniform(0, 9, len(back)),
            )
        )
        self.recycle(r.leads[back], back_at, r.recycled, back_p=1.0)
        r.end[back] = back_at

    def _write_reassignments(self, r: Round) -> None:
        """Owner rows of the reassignments, only while the lead is still open with the rep."""
        valid = (r.reassigned_at < r.end) & (r.next_rep != r.rep) & (r.reassigned_at < INF)
        r.reassigned_at = np.where(valid, r.reassigned_at, INF)
        self.owner(r.leads[valid], r.reassigned_at[valid], r.next_rep[valid])

    def _write_activities(self, r: Round) -> None:
        a = r.acts.arrays()
        user = np.where(a["user"] == ACTING, r.acting(a["local"], a["t"]), a["user"])
        self.act(
            r.leads[a["local"]],
            user,
            a["type"],
            a["t"],
            a["direction"],
            a["outcome"],
            a["duration"],
            a["automated"],
        )

    def _later_recycle(self, local: np.ndarray, t: np.ndarray, L: np.ndarray, out: list) -> None:
        """Some rejected leads go back to nurture a few days or weeks later."""
        rng = self.rng
        sel = rng.random(len(local)) < 0.35
        t_r = ceil_minute(
            self.cal.add_business_hours(
                t[sel] + (rng.uniform(3, 30, int(sel.sum())) * DAY).astype(np.int64),
                rng.uniform(0, 9, int(sel.sum())),
            )
        )
        self.recycle(L[local[sel]], t_r, out)

    # ================================================================== final state
    def finalize(self) -> None:
        rng = self.rng
        n = self.n
        t_end = self.t_end
        ST = V.ST

        # history: cut at the export instant, old values from the previous row
        h = self.hist.arrays()
        keep = h["t"] < t_end
        h = {k: v[keep] for k, v in h.items()}
        order = np.lexsort((h["block"], h["t"], h["lead"]))
        h = {k: v[order] for k, v in h.items()}
        old = np.full(len(h["t"]), -1, dtype=np.int32)
        init_label = self.status_code[ST["lead"], self.style]
        self.init_label = init_label
        for field, first_value, col in (
            (STATUS, init_label, "label"),
            (OWNER, self.init_owner, "value"),
        ):
            idx = np.flatnonzero(h["field"] == field)
            lead = h["lead"][idx]
            val = h[col][idx]
            prev = np.concatenate([[-1], val[:-1]])
            first = (
                np.concatenate([[True], lead[1:] != lead[:-1]]) if len(idx) else np.zeros(0, bool)
            )
            old[idx] = np.where(first, first_value[lead], prev)
            # current values: the last row per lead
            is_last = (
                np.concatenate([lead[1:] != lead[:-1], [True]]) if len(idx) else np.zeros(0, bool)
            )
            if field == STATUS:
                self.cur_label = init_label.copy()
                self.cur_label[lead[is_last]] = val[is_last]
                self.cur_stage = np.full(n, ST["lead"], dtype=np.int32)
                self.cur_stage[lead[is_last]] = h["value"][idx][is_last]
            else:
                self.cur_owner = self.init_owner.copy()
                self.cur_owner[lead[is_last]] = val[is_last]
        h["old"] = old
        last_change = self.t0.copy()
        np.maximum.at(last_change, h["lead"], h["t"])
        stage_rows = h["field"] == STATUS
        reached_sql = np.zeros(n, dtype=bool)
        reached_sal = np.zeros(n, dtype=bool)
        sv = h["value"]
        reached_sql[
            h["lead"][
                stage_rows & np.isin(sv, [ST["sql"], ST["opportunity"], ST["won"], ST["lost"]])
            ]
        ] = True
        reached_sal[h["lead"][stage_rows & (sv == ST["sal"])]] = True
        self.reached_sql, self.reached_sal = reached_sql, reached_sal | reached_sql
        # export order: by instant (ids increase with time); same-instant rows keep
        # their emission order
        order = np.lexsort((h["block"], h["lead"], h["t"]))
        self.h = {k: v[order] for k, v in h.items()}

        # current status label sometimes written with another variant of the stage
        self.label_swap = rng.random(n) < 0.05
        other = self.status_code[self.cur_stage, 1 - self.style]
        self.cur_label = np.where(self.label_swap, other, self.cur_label)
        # a later edit (a field the history does not track) some time after the last change
        self.update_gap = np.where(rng.random(n) < 0.3, rng.integers(0, 3 * DAY, n), 0)
        self.updated = np.minimum(last_change + self.update_gap, t_end - 1)

        # BANT, mostly known for SQL+ leads: drawn for every lead, shown once reached
        q = self.q
        self.bant_draws = {
            "budget": rng.random(n) < sigmoid(0.4 + 0.5 * q),
            "authority": rng.random(n) < np.where(self.level <= 1, 0.85, 0.5),
            "need": rng.random(n) < 0.85,
            "timeframe": rng.choice(np.array([1, 2, 3, 3, 6, 6, 12]), n),
            "partial": rng.random(n) < 0.35,
            "need_partial": rng.random(n) < 0.7,
            "blank": rng.random(n) < 0.12,
            "no_timeframe": rng.random(n) < 0.15,
        }
        self.budget, self.authority, self.need, self.timeframe = self.bant(
            self.reached_sql, self.reached_sal
        )

        # activities: cut, sorted by instant
        a = self.acts.arrays()
        keep = (a["t"] < t_end) & (a["t"] >= self.t0[a["lead"]])
        a = {k: v[keep] for k, v in a.items()}
        order = np.lexsort((a["lead"], a["t"]))
        self.a = {k: v[order] for k, v in a.items()}

        # events: cut, sorted by instant
        ev = self.events_arrays()
        keep = ev["t"] < t_end
        ev = {k: v[keep] for k, v in ev.items()}
        order = np.lexsort((ev["lead"], ev["t"]))
        ev = {k: v[order] for k, v in ev.items()}
        # one registration / attendance per lead and seminar or webinar
        once = np.isin(
            ev["kind"],
            [V.K["seminar_registered"], V.K["seminar_attended"], V.K["webinar_attended"]],
        )
        idx = np.flatnonzero(once)
        key = (
            ev["lead"][idx].astype(np.int64) * (self.n_campaigns + 1) + ev["camp"][idx] + 1
        ) * 32 + ev["kind"][idx]
        _, first = np.unique(key, return_index=True)
        drop = np.ones(len(idx), dtype=bool)
        drop[first] = False
        keep = np.ones(len(ev["t"]), dtype=bool)
        keep[idx[drop]] = False
        self.ev = {k: v[keep] for k, v in ev.items()}
        self.ev_parts = []

        # opportunities: linked ones created before the export, plus a few without lead
        o = self.opps.arrays()
        keep = o["t"] < t_end
        o = {k: v[keep] for k, v in o.items()}
        k = max(1 if len(o["t"]) else 0, round(0.04 * len(o["t"])))
        t_un = ceil_minute(
            self.cal.add_business_hours(
                self.t_start + (rng.random(k) * (t_end - self.t_start)).astype(np.int64),
                rng.uniform(0, 9, k),
            )
        )
        days = np.clip(rng.lognormal(np.log(45), 0.6, k), 7, 365)
        t_cl = ceil_minute(
            self.cal.add_business_hours(t_un + (days * DAY).astype(np.int64), rng.uniform(0, 9, k))
        )
        west = rng.random(k) < 0.3
        owner = self.pick_group(np.where(west, V.GROUP_AE_WEST, V.GROUP_AE_EAST), t_un)
        o["lead"] = np.concatenate([o["lead"], np.full(k, -1, np.int32)])
        o["owner"] = np.concatenate([o["owner"], owner])
        o["t"] = np.concatenate([o["t"], t_un])
        o["t_close"] = np.concatenate([o["t_close"], t_cl])
        o["won"] = np.concatenate([o["won"], rng.random(k) < 0.3])
        o["q"] = np.concatenate([o["q"], np.full(k, 0.5)])
        keep = o["t"] < t_end  # snapping to business hours may pass the export instant
        o = {kk: v[keep] for kk, v in o.items()}
        order = np.lexsort((o["lead"], o["t"]))
        o = {kk: v[order] for kk, v in o.items()}
        m = len(o["t"])
        emp = np.where(o["lead"] >= 0, self.emp[np.maximum(o["lead"], 0)], 300)
        amount = np.exp(rng.normal(np.log(2_800_000), 0.75, m)) * (emp / 300.0) ** 0.12
        o["amount"] = np.maximum(300_000, np.round(amount / 10_000) * 10_000).astype(np.int64)
        o["closed"], o["open_stage"] = opportunity_state(o, t_end)
        o["style"] = np.where(
            o["lead"] >= 0, self.style[np.maximum(o["lead"], 0)], rng.integers(0, 2, m)
        )
        self.o = o

    def bant(self, reached_sql: np.ndarray, reached_sal: np.ndarray):
        """BANT columns (budget, authority, need, timeframe; -1 = empty) for leads that
        have reached SQL (all four) or only SAL (sometimes need)."""
        d = self.bant_draws
        budget = np.where(reached_sql, d["budget"].astype(np.int8), -1)
        authority = np.where(reached_sql, d["authority"].astype(np.int8), -1)
        need = np.where(reached_sql, d["need"].astype(np.int8), -1)
        timeframe = np.where(reached_sql, d["timeframe"], -1)
        partial = reached_sal & ~reached_sql & d["partial"]
        need = np.where(partial, d["need_partial"].astype(np.int8), need)
        budget = np.where(reached_sql & d["blank"], -1, budget)
        timeframe = np.where(reached_sql & d["no_timeframe"], -1, timeframe)
        return budget, authority, need, timeframe

    # ================================================================== earlier instants
    def state_at(self, at: int) -> dict[str, np.ndarray]:
        """The leads' changing columns as they stood at instant ``at`` (epoch seconds,
        at most the export instant), from the history rows before it: status label and
        stage, owner, updated_at and BANT. At the export instant this equals what
        ``finalize`` derived (``cur_label``, ``cur_owner``, ``updated``, ...)."""
        n = self.n
        ST = V.ST
        h = self.h
        k = int(np.searchsorted(h["t"], at, side="left"))  # export order is by instant
        lead, field, value, t = h["lead"][:k], h["field"][:k], h["value"][:k], h["t"][:k]
        stage = np.full(n, ST["lead"], dtype=np.int32)
        label = self.init_label.copy()
        owner = self.init_owner.copy()
        st = np.flatnonzero(field == STATUS)
        who, rows = _last_per_lead(lead[st])
        stage[who] = value[st[rows]]
        label[who] = h["label"][:k][st[rows]]
        ow = np.flatnonzero(field == OWNER)
        who, rows = _last_per_lead(lead[ow])
        owner[who] = value[ow[rows]]
        last_change = self.t0.copy()
        who, rows = _last_per_lead(lead)  # rows are in time order: the last is the latest
        last_change[who] = np.maximum(last_change[who], t[rows])
        sv = value[st]
        reached_sql = np.zeros(n, dtype=bool)
        reached_sql[
            lead[st][np.isin(sv, [ST["sql"], ST["opportunity"], ST["won"], ST["lost"]])]
        ] = True
        reached_sal = np.zeros(n, dtype=bool)
        reached_sal[lead[st][sv == ST["sal"]]] = True
        reached_sal |= reached_sql
        other = self.status_code[stage, 1 - self.style]
        label = np.where(self.label_swap, other, label)
        updated = np.minimum(last_change + self.update_gap, at - 1)
        budget, authority, need, timeframe = self.bant(reached_sql, reached_sal)
        return {
            "stage": stage,
            "label": label,
            "owner": owner,
            "updated": updated,
            "budget": budget,
            "authority": authority,
            "need": need,
            "timeframe": timeframe,
        }


def _last_per_lead(lead: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(leads, positions) of the last row of each lead in ``lead`` (rows in order)."""
    if len(lead) == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    order = np.argsort(lead, kind="stable")
    ls = lead[order]
    is_last = np.concatenate([ls[1:] != ls[:-1], [True]])
    return ls[is_last], order[is_last]


def opportunity_state(o: dict[str, np.ndarray], at: int) -> tuple[np.ndarray, np.ndarray]:
    """(closed, open_stage) of each opportunity at instant ``at``: closed once its close
    instant has passed; an open one moves through the open stages (0..3) as the time
    from creation to its (planned) close goes by (30%, 60%, 85%)."""
    closed = o["t_close"] < at
    frac = (at - o["t"]) / np.maximum(1, o["t_close"] - o["t"])
    return closed, np.digitize(frac, [0.3, 0.6, 0.85])
