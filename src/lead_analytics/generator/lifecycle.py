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

    def run_round(self, L: np.ndarray, t_h: np.ndarray, rep: np.ndarray, mode: np.ndarray) -> list:
        """One pass of sales work on leads handed over at ``t_h`` to ``rep``.

        mode 0: MQL handoff; 1: fast-track (demo/quote/contact request); 2: BDR cold-call
        list (the lead is already owned by the BDR; no handoff row). Returns the
        recycled (leads, instants) for possible re-entry.
        """
        rng = self.rng
        cal = self.cal
        ST, AT, OC = V.ST, V.AT, V.OC
        m = len(L)
        recycled: list = []
        if m == 0:
            return recycled
        L = L.astype(np.int32)
        rep = rep.astype(np.int32)
        t_h = t_h.astype(np.int64)
        q, style, ch = self.q[L], self.style[L], self.ch[L]
        fast, outb = mode == 1, mode == 2
        inb = ~outb
        self.owner(L[inb], t_h[inb], rep[inb])
        entry = np.full(m, -1, dtype=np.int32)
        entry[fast] = np.where(rng.random(int(fast.sum())) < 0.55, ST["sql"], ST["sal"])
        e = entry >= 0
        self.status(L[e], t_h[e], entry[e])
        stage = np.where(e, entry, ST["mql"])

        acts = Rows(
            local=(np.int64, 0),
            user=(np.int32, ACTING),
            type=(np.int8, 0),
            direction=(np.int8, 0),
            t=(np.int64, 0),
            outcome=(np.int8, -1),
            duration=(np.int32, -1),
            automated=(np.int8, 0),
        )

        # automated sequence emails sent in the rep's name (not sales touches)
        seq = np.flatnonzero((mode == 0) & (rng.random(m) < 0.3))
        steps = rng.integers(1, 4, len(seq))
        sl = np.repeat(seq, steps)
        sj = group_index(steps)
        st = cal.add_business_hours(
            np.repeat(t_h[seq], steps),
            np.array([0.05, 18.0, 45.0])[sj] + rng.uniform(0, 1, len(sl)),
        )
        acts.add(local=sl, user=rep[sl], type=AT["email"], t=st, outcome=OC["sent"], automated=1)

        # ignore or touch, and how fast
        factor = np.array(V.CHANNEL_IGNORE)[ch] * np.exp(-0.45 * q) / self.ignore_norm
        p_ign = self.u_ignore[rep] * factor
        p_ign = np.where(fast, 0.25 * p_ign, np.where(outb, 0.08, p_ign))
        ignored = rng.random(m) < np.clip(p_ign, 0, 0.9)
        late = ignored & (rng.random(m) < 0.2)
        delay = rng.lognormal(np.log(self.u_speed[rep]), 0.8)
        delay = np.where(fast, 0.25 * delay, np.where(outb, rng.uniform(0, 30, m), delay))
        t1 = cal.add_business_hours(t_h, delay)
        t1_late = cal.add_business_hours(
            t_h + (rng.uniform(31, 75, m) * DAY).astype(np.int64), rng.uniform(0, 9, m)
        )
        t1 = ceil_minute(cal.overtime(np.where(late, t1_late, t1), rng.random(m) < 0.35))
        touched = ~ignored | late

        # reassignment: rep leaves the company, or a random reshuffle
        leave = self.u_leave[rep]
        t_ra = np.where(
            leave < INF,
            np.maximum(t_h + 3600, leave - (rng.uniform(0, 5, m) * DAY).astype(np.int64)),
            INF,
        )
        shuffle = (leave == INF) & (rng.random(m) < 0.04)
        t_ra = np.where(
            shuffle, ceil_minute(cal.add_business_hours(t_h, rng.uniform(1, 120, m))), t_ra
        )
        rep2 = rep.copy()
        has = np.flatnonzero(t_ra < INF)
        rep2[has] = self.pick_group(self.u_group[rep[has]], t_ra[has])
        end = np.full(m, INF, dtype=np.int64)

        def acting(local: np.ndarray, t: np.ndarray) -> np.ndarray:
            return np.where(t >= t_ra[local], rep2[local], rep[local])

        # ---------------------------------------------------------------- touched
        T = np.flatnonzero(touched)
        qT = q[T]
        p_reach = np.where(
            fast[T],
            sigmoid(2.2 + 0.5 * qT),
            np.where(outb[T], sigmoid(0.1 + 0.5 * qT), sigmoid(0.9 + 0.6 * qT)),
        )
        reached = rng.random(len(T)) < p_reach
        k_reach = np.minimum(rng.geometric(np.where(outb[T], 0.3, 0.5)), 6)
        n_att = np.where(reached, k_reach, rng.integers(2, 7, len(T)))
        rows = np.repeat(T, n_att)
        j = group_index(n_att)
        gap = np.where(
            j == 0, 0, (rng.lognormal(np.log(10), 0.8, len(rows)) * 3600).astype(np.int64)
        )
        ta = cal.from_business(
            np.repeat(cal.to_business(t1[T]), n_att) + grouped_cumsum(gap, n_att)
        )
        ta = ceil_minute(np.where(j == 0, t1[rows], ta))
        last = j == np.repeat(n_att, n_att) - 1
        contact = last & np.repeat(reached, n_att)
        r = len(rows)
        typ = np.array([AT["call"], AT["email"], AT["sms"], AT["linkedin"]])[
            weighted_codes(rng, (0.68, 0.26, 0.02, 0.04), r)
        ]
        typ = np.where(outb[rows] & (rng.random(r) < 0.95), AT["call"], typ)
        typ = np.where(contact, np.where(rng.random(r) < 0.85, AT["call"], AT["email"]), typ)
        outcome = np.array([OC["no_answer"], OC["voicemail"], OC["wrong_number"]])[
            weighted_codes(rng, (0.62, 0.31, 0.07), r)
        ]
        outcome = np.where(contact, OC["connected"], outcome)
        outcome = np.where(typ == AT["call"], outcome, np.where(typ == AT["email"], OC["sent"], -1))
        outcome = np.where((typ == AT["email"]) & (rng.random(r) < 0.6), -1, outcome)
        dur = np.select(
            [
                outcome == OC["connected"],
                outcome == OC["voicemail"],
                outcome == OC["wrong_number"],
                (outcome == OC["no_answer"]) & (rng.random(r) < 0.4),
            ],
            [
                np.clip(rng.lognormal(np.log(300), 0.7, r), 30, 3600).astype(np.int64),
                rng.integers(15, 60, r),
                rng.integers(5, 40, r),
                rng.integers(5, 30, r),
            ],
            -1,
        )
        acts.add(local=rows, type=typ, t=ta, outcome=outcome, duration=dur)
        t_c = np.zeros(m, dtype=np.int64)
        t_c[rows[last]] = ta[last]
        em = rows[contact & (typ == AT["email"])]
        reply = ceil_minute(cal.add_business_hours(t_c[em], rng.uniform(0.3, 16, len(em))))
        acts.add(local=em, type=AT["email"], t=reply, direction=1, outcome=OC["replied"])
        t_c[em] = reply

        # Salesforce-style orgs flip to "Working - Contacted" at the first touch
        early = T[(style[T] == STYLE_SF) & (entry[T] < 0) & inb[T] & (rng.random(len(T)) < 0.5)]
        self.status(L[early], t1[early], ST["sal"])
        stage[early] = ST["sal"]

        # not reached: unreachable rejection, back to nurture, or left open
        NR = T[~reached]
        t_d = ceil_minute(cal.add_business_hours(t_c[NR], rng.uniform(2, 60, len(NR))))
        u = rng.random(len(NR))
        rej = u < np.where(outb[NR], 0.3, 0.45)
        rec = ~rej & (u < 0.75)
        self.status(
            L[NR[rej]], t_d[rej], ST["rejected"], self.reason_vocab.index(V.UNREACHABLE_REASON)
        )
        self.recycle(L[NR[rec]], t_d[rec], recycled)
        end[NR[rej | rec]] = t_d[rej | rec]
        self._later_recycle(NR[rej], t_d[rej], L, recycled)

        # reached: accept (sal) or reject/disqualify
        RC = T[reached]
        t_d = ceil_minute(cal.add_business_hours(t_c[RC], rng.uniform(0.05, 4, len(RC))))
        qR = q[RC]
        p_acc = np.where(
            fast[RC],
            sigmoid(2.2 + 0.8 * qR),
            np.where(outb[RC], sigmoid(-0.2 + 0.9 * qR), sigmoid(0.6 + 0.9 * qR)),
        )
        acc = rng.random(len(RC)) < p_acc
        RJ, t_rj = RC[~acc], t_d[~acc]
        disq = rng.random(len(RJ)) < 0.3
        self.status(
            L[RJ[~disq]],
            t_rj[~disq],
            ST["rejected"],
            self.reason_codes(V.REJECT_REASONS, int((~disq).sum()), style[RJ[~disq]]),
        )
        self.status(
            L[RJ[disq]],
            t_rj[disq],
            ST["disqualified"],
            self.reason_codes(V.DISQUALIFY_REASONS, int(disq.sum()), style[RJ[disq]]),
        )
        end[RJ] = t_rj
        self._later_recycle(RJ[~disq], t_rj[~disq], L, recycled)

        A, t_a = RC[acc], t_d[acc]
        need = stage[A] < ST["sal"]
        self.status(L[A[need]], t_a[need], ST["sal"])
        already = entry[A] == ST["sql"]
        qA = q[A]
        p_sql = sigmoid(-1.4 + 1.0 * qA + 1.2 * fast[A] + 0.6 * outb[A])
        ok = already | (rng.random(len(A)) < p_sql)
        t_sql = np.where(
            already,
            t_a,
            ceil_minute(cal.add_business_hours(t_a, rng.lognormal(np.log(20), 0.9, len(A)))),
        )
        new = ok & ~already
        NSQ = A[new]
        mid = ceil_minute(
            cal.from_business((cal.to_business(t_a[new]) + cal.to_business(t_sql[new])) // 2)
        )
        f = rng.random(len(NSQ)) < 0.5
        acts.add(local=NSQ[f], type=AT["email"], t=np.maximum(mid[f], t_a[new][f]))
        acts.add(
            local=NSQ,
            type=AT["call"],
            t=t_sql[new],
            outcome=OC["meeting_booked"],
            duration=rng.integers(600, 1500, len(NSQ)),
        )
        self.status(L[NSQ], t_sql[new], ST["sql"])

        NS, t_ns0 = A[~ok], t_a[~ok]
        t_ns = ceil_minute(cal.add_business_hours(t_ns0, rng.lognormal(np.log(60), 0.8, len(NS))))
        mid = ceil_minute(cal.from_business((cal.to_business(t_ns0) + cal.to_business(t_ns)) // 2))
        conn = rng.random(len(NS)) < 0.5
        acts.add(
            local=NS,
            type=AT["call"],
            t=mid,
            outcome=np.where(conn, OC["connected"], OC["no_answer"]),
            duration=np.where(conn, rng.integers(60, 900, len(NS)), -1),
        )
        u = rng.random(len(NS))
        rec, rej = u < 0.55, (u >= 0.55) & (u < 0.85)
        dq = u >= 0.85
        self.recycle(L[NS[rec]], t_ns[rec], recycled)
        self.status(
            L[NS[rej]],
            t_ns[rej],
            ST["rejected"],
            self.reason_codes(V.LATE_REASONS, int(rej.sum()), style[NS[rej]]),
        )
        self.status(
            L[NS[dq]],
            t_ns[dq],
            ST["disqualified"],
            self.reason_codes(V.DISQUALIFY_REASONS, int(dq.sum()), style[NS[dq]]),
        )
        end[NS] = t_ns

        # SQL: meeting with an AE, then an opportunity (or back to nurture)
        S, t_s = A[ok], t_sql[ok]
        ae = self.pick_ae(L[S], t_s)
        t_m = ceil_minute(
            cal.overtime(
                cal.add_business_hours(t_s, rng.lognormal(np.log(14), 0.9, len(S))),
                rng.random(len(S)) < 0.1,
            )
        )
        by_ae = rng.random(len(S)) < 0.8
        mt = np.where(rng.random(len(S)) < 0.65, AT["web_meeting"], AT["meeting"])
        acts.add(
            local=S,
            user=np.where(by_ae, ae, ACTING),
            type=mt,
            t=t_m,
            outcome=OC["completed"],
            duration=rng.integers(30, 91, len(S)) * 60,
        )
        p_opp = sigmoid(1.4 + 0.6 * q[S] + 0.3 * fast[S])
        op = rng.random(len(S)) < p_opp
        OP = S[op]
        t_o = ceil_minute(cal.add_business_hours(t_m[op], rng.uniform(0.2, 20, len(OP))))
        self.status(L[OP], t_o, ST["opportunity"])
        end[OP] = t_o
        ae_o = ae[op]
        to_ae = (rng.random(len(OP)) < 0.2) & (ae_o != acting(OP, t_o))
        self.owner(L[OP[to_ae]], t_o[to_ae], ae_o[to_ae])
        opp_owner = np.where(rng.random(len(OP)) < 0.8, ae_o, acting(OP, t_o))
        days = np.clip(rng.lognormal(np.log(45), 0.6, len(OP)), 7, 365)
        t_close = ceil_minute(
            cal.add_business_hours(t_o + (days * DAY).astype(np.int64), rng.uniform(0, 9, len(OP)))
        )
        won = rng.random(len(OP)) < sigmoid(-2.3 + 0.55 * q[OP] + 0.3 * fast[OP])
        self.opps.add(lead=L[OP], owner=opp_owner, t=t_o, t_close=t_close, won=won, q=q[OP])
        ja = style[OP] == STYLE_JA
        self.status(L[OP[ja & won]], t_close[ja & won], ST["won"])
        self.status(L[OP[ja & ~won]], t_close[ja & ~won], ST["lost"])
        lost = np.flatnonzero(~won & (rng.random(len(OP)) < 0.25))
        t_lr = ceil_minute(
            cal.add_business_hours(
                t_close[lost] + (rng.uniform(30, 120, len(lost)) * DAY).astype(np.int64),
                rng.uniform(0, 9, len(lost)),
            )
        )
        self.recycle(L[OP[lost]], t_lr, recycled)

        NO, t_mn = S[~op], t_m[~op]
        t_x = ceil_minute(
            cal.add_business_hours(
                t_mn + (rng.uniform(3, 25, len(NO)) * DAY).astype(np.int64),
                rng.uniform(0, 9, len(NO)),
            )
        )
        rec = rng.random(len(NO)) < 0.6
        self.recycle(L[NO[rec]], t_x[rec], recycled)
        self.status(
            L[NO[~rec]],
            t_x[~rec],
            ST["rejected"],
            self.reason_codes(V.LATE_REASONS, int((~rec).sum()), style[NO[~rec]]),
        )
        end[NO] = t_x

        # ---------------------------------------------------------------- never touched
        UT = np.flatnonzero(~touched)
        rc = UT[rng.random(len(UT)) < 0.3]
        t_rc = ceil_minute(
            cal.add_business_hours(
                t_h[rc] + (rng.uniform(45, 120, len(rc)) * DAY).astype(np.int64),
                rng.uniform(0, 9, len(rc)),
            )
        )
        self.recycle(L[rc], t_rc, recycled, back_p=1.0)
        end[rc] = t_rc

        # reassignment rows (only while the lead is still open with the rep)
        valid = (t_ra < end) & (rep2 != rep) & (t_ra < INF)
        t_ra = np.where(valid, t_ra, INF)
        self.owner(L[valid], t_ra[valid], rep2[valid])

        a = acts.arrays()
        user = np.where(a["user"] == ACTING, acting(a["local"], a["t"]), a["user"])
        self.act(
            L[a["local"]],
            user,
            a["type"],
            a["t"],
            a["direction"],
            a["outcome"],
            a["duration"],
            a["automated"],
        )
        return recycled

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
