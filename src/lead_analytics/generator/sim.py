"""The simulation behind the sample exports (vectorised with numpy): the base part.

Stages, each done for all leads at once (1-3 here, 4-5 in ``generator_lifecycle``):

1. users (sales reps with ignore propensity and speed profile, marketing, system user)
   and campaigns (webinars, seminars, trade shows, content, ads, newsletters, ...);
2. leads: channel, campaign, creation instant, company and person attributes and a
   hidden intent that drives both engagement and conversion;
3. marketing events (creation events per channel plus behaviour drawn by intent); the
   example scoring of ``domain.md`` gives each lead's MQL instant, a demo/quote/contact
   request its fast-track instant;
4. rounds of sales work: handoff (owner change), first touch after a rep-specific delay
   in Tokyo business hours (or never: ignored), call attempts, accept/reject, SQL,
   meeting, opportunity, won/lost; recycled leads may come back as MQL (re-entry);
5. final state: history cut at the export instant, old values, current status and
   owner, BANT, opportunities.

Instants are int64 UTC epoch seconds. Nothing reads the wall clock; every draw comes
from one ``numpy.random.Generator`` seeded by the config, in a fixed order.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np

from lead_analytics.generator import vocab as V
from lead_analytics.generator.calendar import (
    DAY,
    JST,
    BusinessCalendar,
    add_months,
    ceil_minute,
    jst_midnight,
)

INF = np.int64(2**62)
STATUS, OWNER = 0, 1
ACTING = -2  # activity user placeholder: "the lead's rep at that instant"
STYLE_JA, STYLE_SF = 0, 1
HOUR_WEIGHTS = np.array(
    [
        0.2,
        0.1,
        0.05,
        0.05,
        0.05,
        0.1,
        0.3,
        0.6,
        1.2,
        2.0,
        2.4,
        2.4,
        1.8,
        2.3,
        2.5,
        2.4,
        2.3,
        2.0,
        1.5,
        1.1,
        0.9,
        0.8,
        0.6,
        0.4,
    ]
)
SEASON = {
    1: 0.9,
    2: 1.05,
    3: 1.15,
    4: 1.0,
    5: 0.85,
    6: 1.05,
    7: 1.0,
    8: 0.8,
    9: 1.1,
    10: 1.1,
    11: 1.05,
    12: 0.85,
}


@dataclasses.dataclass(frozen=True)
class GeneratorConfig:
    n_leads: int = 5000
    seed: int = 42
    start: dt.date = dt.date(2025, 4, 1)
    months: int = 12
    dirty: bool = True


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def group_index(counts: np.ndarray) -> np.ndarray:
    """Position of each repeated row within its group (for ``np.repeat(x, counts)``)."""
    counts = np.asarray(counts, dtype=np.int64)
    starts = np.cumsum(counts) - counts
    return np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(starts, counts)


def grouped_cumsum(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    counts = np.asarray(counts, dtype=np.int64)
    cs = np.cumsum(values)
    base = np.concatenate([[0], cs])[np.cumsum(counts) - counts]
    return cs - np.repeat(base, counts)


def weighted_codes(rng: np.random.Generator, weights, n: int) -> np.ndarray:
    p = np.asarray(weights, dtype=np.float64)
    return rng.choice(len(p), size=n, p=p / p.sum())


class Rows:
    """Column buffers filled stage by stage and concatenated at the end."""

    def __init__(self, **spec: tuple[type, int]) -> None:
        self.spec = spec
        self.parts: dict[str, list[np.ndarray]] = {k: [] for k in spec}
        self.blocks = 0

    def add(self, **cols) -> None:
        unknown = set(cols) - set(self.spec)
        if unknown:
            raise KeyError(sorted(unknown))
        n = next(len(v) for v in cols.values() if np.ndim(v) == 1)
        self.blocks += 1
        if n == 0:
            return
        for name, (dtype, default) in self.spec.items():
            value = self.blocks if name == "block" else cols.get(name, default)
            arr = np.empty(n, dtype=dtype)
            arr[...] = value
            self.parts[name].append(arr)

    def arrays(self) -> dict[str, np.ndarray]:
        return {
            k: np.concatenate(v) if v else np.empty(0, dtype=self.spec[k][0])
            for k, v in self.parts.items()
        }


class SimulationBase:
    """Entities and marketing engagement; the lifecycle is in ``generator_lifecycle``."""

    def __init__(self, config: GeneratorConfig) -> None:
        self.cfg = config
        self.rng = np.random.default_rng(config.seed)
        self.t_start = jst_midnight(config.start)
        self.end_create_date = add_months(config.start, config.months)
        self.t_end_create = jst_midnight(self.end_create_date)
        # The export instant: activity goes on about a month after the last lead.
        self.export_date = self.end_create_date + dt.timedelta(days=30)
        self.t_end = jst_midnight(self.export_date)
        self.cal_first = config.start - dt.timedelta(days=400)
        self.cal_last = self.export_date + dt.timedelta(days=900)
        self.cal = BusinessCalendar(self.cal_first, self.cal_last)
        self.hist = Rows(
            lead=(np.int32, -1),
            t=(np.int64, 0),
            field=(np.int8, STATUS),
            value=(np.int32, -1),
            label=(np.int16, -1),
            reason=(np.int16, -1),
            block=(np.int32, 0),
        )
        self.acts = Rows(
            lead=(np.int32, -1),
            user=(np.int32, -1),
            type=(np.int8, 0),
            direction=(np.int8, 0),
            t=(np.int64, 0),
            outcome=(np.int8, -1),
            duration=(np.int32, -1),
            automated=(np.int8, 0),
        )
        self.opps = Rows(
            lead=(np.int32, -1),
            owner=(np.int32, -1),
            t=(np.int64, 0),
            t_close=(np.int64, 0),
            won=(np.bool_, False),
            q=(np.float64, 0.0),
        )
        self._build_label_tables()

    # ================================================================== labels
    def _build_label_tables(self) -> None:
        vocab: list[str] = []

        def code(label: str) -> int:
            if label not in vocab:
                vocab.append(label)
            return vocab.index(label)

        self.status_code = np.array([[code(ja), code(sf)] for ja, sf in V.STATUS_LABELS])
        self.status_variant = {V.ST[k]: code(v) for k, v in V.STATUS_VARIANTS.items()}
        self.status_vocab = vocab
        self.label_stage = np.zeros(len(vocab), dtype=np.int8)
        for stage, (ja, sf) in enumerate(V.STATUS_LABELS):
            self.label_stage[vocab.index(ja)] = stage
            self.label_stage[vocab.index(sf)] = stage
        for stage, label in self.status_variant.items():
            self.label_stage[label] = stage
        reasons = [r for r, _ in V.REJECT_REASONS] + [V.UNREACHABLE_REASON]
        reasons += [r for r, _ in V.DISQUALIFY_REASONS if r not in reasons]
        reasons += [r for r, _ in V.LATE_REASONS if r not in reasons]
        reasons += list(V.ENGLISH_REASONS.values())
        self.reason_vocab = reasons
        self.reason_en = np.arange(len(reasons))
        for ja, en in V.ENGLISH_REASONS.items():
            self.reason_en[reasons.index(ja)] = reasons.index(en)

    def reason_codes(self, options, n: int, style: np.ndarray) -> np.ndarray:
        names = [r for r, _ in options]
        picks = weighted_codes(self.rng, [w for _, w in options], n)
        codes = np.array([self.reason_vocab.index(r) for r in names])[picks]
        english = (style == STYLE_SF) & (self.rng.random(n) < 0.3)
        return np.where(english, self.reason_en[codes], codes)

    # ================================================================== users
    def build_users(self) -> None:
        rng = self.rng
        n_rep = int(np.clip(round(self.cfg.n_leads / 250), 8, 400))
        n_mgr = max(2, round(0.10 * n_rep))
        rest = n_rep - n_mgr
        n_bdr = max(1, round(0.16 * rest))
        n_ae = max(2, round(0.30 * rest))
        n_sdr = rest - n_bdr - n_ae
        sdr_e = max(1, round(0.65 * n_sdr))
        ae_e = max(1, round(0.7 * n_ae))
        n_mkt = int(np.clip(round(n_rep / 6), 3, 40))
        R = V.ROLE
        role = (
            [R["system"]]
            + [R["marketing"]] * n_mkt
            + [R["manager"]] * n_mgr
            + [R["sdr"]] * n_sdr
            + [R["bdr"]] * n_bdr
            + [R["ae"]] * n_ae
        )
        group = (
            [-1] * (1 + n_mkt)
            + [V.GROUP_MANAGER] * n_mgr
            + [V.GROUP_SDR_EAST] * sdr_e
            + [V.GROUP_SDR_WEST] * (n_sdr - sdr_e)
            + [V.GROUP_BDR] * n_bdr
            + [V.GROUP_AE_EAST] * ae_e
            + [V.GROUP_AE_WEST] * (n_ae - ae_e)
        )
        n = len(role)
        self.n_users = n
        self.u_role = np.array(role, dtype=np.int8)
        self.u_group = np.array(group, dtype=np.int8)
        team = np.full(n, -1, dtype=np.int16)
        team[1 : 1 + n_mkt] = V.TEAM_MARKETING
        mgr_first = 1 + n_mkt
        for k in range(n_mgr):  # the head of sales, then team leaders
            team[mgr_first + k] = 5 if k == 0 else (k - 1) % 5
        sales = self.u_group >= 0
        team[sales & (self.u_group != V.GROUP_MANAGER)] = self.u_group[
            sales & (self.u_group != V.GROUP_MANAGER)
        ]
        self.u_team = team
        manager = np.full(n, -1, dtype=np.int32)
        head = mgr_first
        for i in range(n):
            if i == 0 or i == head:
                continue
            if self.u_role[i] == R["marketing"]:
                manager[i] = 1 if i != 1 else -1
                continue
            if self.u_role[i] == R["manager"]:
                manager[i] = head
                continue
            leaders = [j for j in range(mgr_first + 1, mgr_first + n_mgr) if team[j] == team[i]]
            manager[i] = leaders[0] if leaders else head
        self.u_manager = manager

        period = self.t_end_create - self.t_start
        join = np.full(n, -INF, dtype=np.int64)
        leave = np.full(n, INF, dtype=np.int64)
        u = rng.random(n)
        movable = sales & (np.arange(n) != head)
        leaving = movable & (u < 0.07)
        joining = movable & (u >= 0.07) & (u < 0.17)
        leave[leaving] = (
            self.t_start + (rng.uniform(0.3, 0.9, n) * period).astype(np.int64)[leaving]
        )
        join[joining] = self.t_start + (rng.uniform(0.1, 0.6, n) * period).astype(np.int64)[joining]
        if n_mkt >= 4:
            leave[n_mkt] = self.t_start + period // 2
        # every routing group keeps one member for the whole period (a fallback)
        for g in range(6):
            members = np.flatnonzero(self.u_group == g)
            if len(members):
                join[members[0]] = -INF
                leave[members[0]] = INF
        self.u_join, self.u_leave = join, leave
        self.u_active = leave == INF

        # Ignore propensity: most reps leave 5-15% of their leads untouched, a few about a
        # third; those few are the overloaded ones who are routed the most leads.
        pool = np.flatnonzero(movable)
        high = np.zeros(n, dtype=bool)
        high[
            rng.choice(pool, size=min(len(pool), max(2, round(0.2 * len(pool)))), replace=False)
        ] = True
        self.u_ignore = np.where(high, rng.uniform(0.30, 0.38, n), rng.uniform(0.05, 0.15, n))
        profile = weighted_codes(rng, (0.25, 0.5, 0.25), n)
        speed = np.choose(
            profile, [rng.uniform(0.2, 0.8, n), rng.uniform(1.5, 5.0, n), rng.uniform(9.0, 20.0, n)]
        )
        self.u_speed = speed
        self.u_weight = np.where(high, rng.uniform(1.8, 2.6, n), rng.uniform(0.6, 1.3, n))
        self.u_weight[head] = 0.05
        sur = rng.integers(0, len(V.SURNAMES), n)
        given = rng.integers(0, len(V.GIVEN_NAMES), n)
        sep = weighted_codes(rng, (0.75, 0.2, 0.05), n)
        names = []
        for i in range(n):
            if i == 0:
                names.append("Integration User")
                continue
            names.append(
                V.SURNAMES[sur[i]][0] + (" ", "\u3000", "")[sep[i]] + V.GIVEN_NAMES[given[i]][0]
            )
        self.u_name = names
        self.system_user = 0
        self.marketing_users = np.arange(1, 1 + n_mkt)
        self.group_members = [np.flatnonzero(self.u_group == g) for g in range(6)]

    def pick_users(self, cand: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Random users among ``cand`` (weighted by capacity), active at ``t``."""
        rng = self.rng
        m = len(t)
        if m == 0:
            return np.empty(0, dtype=np.int32)
        w = self.u_weight[cand]
        p = w / w.sum()
        out = cand[rng.choice(len(cand), size=m, p=p)]
        for _ in range(6):
            bad = (t < self.u_join[out]) | (t >= self.u_leave[out])
            nb = int(bad.sum())
            if nb == 0:
                break
            out[bad] = cand[rng.choice(len(cand), size=nb, p=p)]
        bad = (t < self.u_join[out]) | (t >= self.u_leave[out])
        out[bad] = cand[0]
        return out.astype(np.int32)

    def pick_group(self, group: np.ndarray, t: np.ndarray) -> np.ndarray:
        out = np.empty(len(t), dtype=np.int32)
        fallback = {V.GROUP_SDR_WEST: V.GROUP_SDR_EAST, V.GROUP_AE_WEST: V.GROUP_AE_EAST}
        for g in range(6):
            sel = np.flatnonzero(group == g)
            if len(sel) == 0:
                continue
            members = self.group_members[g]
            if len(members) == 0:
                members = self.group_members[fallback.get(g, V.GROUP_SDR_EAST)]
            out[sel] = self.pick_users(members, t[sel])
        return out

    def route(self, leads: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Handoff routing: SDR team by region; large companies partly straight to AEs;
        a few leads to managers."""
        m = len(leads)
        west = self.region_west[leads]
        u = self.rng.random(m)
        big = (self.emp[leads] >= 1000) & (u < 0.25)
        group = np.where(west, V.GROUP_SDR_WEST, V.GROUP_SDR_EAST)
        group = np.where(big, np.where(west, V.GROUP_AE_WEST, V.GROUP_AE_EAST), group)
        group = np.where(~big & (u > 0.94), V.GROUP_MANAGER, group)
        return self.pick_group(group, t)

    def pick_ae(self, leads: np.ndarray, t: np.ndarray) -> np.ndarray:
        west = self.region_west[leads]
        return self.pick_group(np.where(west, V.GROUP_AE_WEST, V.GROUP_AE_EAST), t)

    # ================================================================== campaigns
    def build_campaigns(self) -> None:
        rng = self.rng
        cal = self.cal
        camps: list[dict] = []
        months = [add_months(self.cfg.start.replace(day=1), k) for k in range(self.cfg.months)]

        def business_days(first: dt.date, weekdays=(0, 1, 2, 3, 4)) -> list[dt.date]:
            last = add_months(first, 1)
            out = []
            d = first
            while d < last:
                idx = (d - self.cal_first).days
                in_period = self.cfg.start <= d < self.end_create_date
                if cal.is_business[idx] and d.weekday() in weekdays and in_period:
                    out.append(d)
                d += dt.timedelta(days=1)
            return out

        def add(
            channel,
            name,
            start,
            end=None,
            event=-1,
            event_end=-1,
            cost=None,
            asset=None,
            weight=1.0,
        ):
            camps.append(
                dict(
                    channel=channel,
                    name=name,
                    start=start,
                    end=end,
                    event=event,
                    event_end=event_end,
                    cost=cost,
                    asset=asset,
                    weight=weight,
                )
            )

        topics = list(V.CONTENT_TOPICS)
        n_ts = max(1, round(self.cfg.months / 2))
        ts_months = sorted(
            rng.choice(
                max(1, self.cfg.months - 1),
                size=min(n_ts, max(1, self.cfg.months - 1)),
                replace=False,
            )
        )
        for k, first in enumerate(months):
            ym = f"{first.year}年{first.month}月"
            tue_thu = business_days(first, (1, 2, 3))
            for j in sorted(rng.choice(len(tue_thu), size=min(3, len(tue_thu)), replace=False)):
                day = tue_thu[j]
                ev = jst_midnight(day) + int(rng.choice([14, 16])) * 3600
                topic = V.WEBINAR_TOPICS[int(rng.integers(len(V.WEBINAR_TOPICS)))]
                add(
                    V.CH["webinar"],
                    f"【ウェビナー】{topic} {day.month}/{day.day}",
                    day - dt.timedelta(days=21),
                    day,
                    ev,
                    ev + 3600,
                    int(rng.integers(5, 60)) * 10000,
                )
            days = business_days(first, (1, 2, 3, 4))
            if days:
                day = days[int(rng.integers(len(days)))]
                city = "東京" if rng.random() < 0.7 else "大阪"
                ev = jst_midnight(day) + 15 * 3600
                add(
                    V.CH["seminar"],
                    f"{city}セミナー {ym}",
                    day - dt.timedelta(days=30),
                    day,
                    ev,
                    ev + 2 * 3600,
                    int(rng.integers(30, 150)) * 10000,
                    weight=0.8,
                )
            days = business_days(first)
            if days:
                slug, title = topics[k % len(topics)]
                add(
                    V.CH["content_download"],
                    f"資料DL: {title}",
                    days[0],
                    None,
                    cost=int(rng.integers(20, 80)) * 10000,
                    asset=f"{slug}-{first.year}{first.month:02d}",
                )
                add(
                    V.EMAIL_CHANNEL,
                    f"メルマガ {ym}",
                    days[0],
                    add_months(first, 1) - dt.timedelta(days=1),
                    cost=0,
                    asset=f"newsletter-{first.year}{first.month:02d}",
                )
            month_end = add_months(first, 1) - dt.timedelta(days=1)
            add(
                V.CH["paid_ads"],
                f"Google広告 {ym}",
                first,
                month_end,
                cost=int(rng.integers(50, 300)) * 10000,
                weight=0.65,
            )
            add(
                V.CH["paid_ads"],
                f"LinkedIn広告 {ym}",
                first,
                month_end,
                cost=int(rng.integers(30, 150)) * 10000,
                weight=0.35,
            )
            if k % 3 == 0:
                q = (first.month - 4) % 12 // 3 + 1
                fy = first.year if first.month >= 4 else first.year - 1
                add(
                    V.CH["outbound"],
                    f"テレアポリスト FY{fy} Q{q}",
                    first,
                    add_months(first, 3) - dt.timedelta(days=1),
                    cost=int(rng.integers(20, 60)) * 10000,
                )
                add(
                    V.CH["partner"],
                    f"パートナー共催 FY{fy} Q{q}",
                    first,
                    add_months(first, 3) - dt.timedelta(days=1),
                    cost=int(rng.integers(0, 30)) * 10000,
                )
            if k in ts_months:
                days = business_days(first, (1, 2))
                if days:
                    day = days[int(rng.integers(len(days)))]
                    ev = jst_midnight(day) + 10 * 3600
                    name = V.TRADE_SHOWS[int(rng.integers(len(V.TRADE_SHOWS)))]
                    season = (
                        "春"
                        if day.month in (3, 4, 5, 6)
                        else "秋"
                        if day.month in (9, 10, 11)
                        else "冬"
                        if day.month in (12, 1, 2)
                        else "夏"
                    )
                    add(
                        V.CH["trade_show"],
                        f"{name} {day.year}【{season}】",
                        day - dt.timedelta(days=60),
                        day + dt.timedelta(days=2),
                        ev,
                        ev + 2 * DAY + 7 * 3600,
                        int(rng.integers(200, 800)) * 10000,
                        weight=float(rng.uniform(0.6, 1.6)),
                    )
        add(V.CH["web_form"], "Webサイト問い合わせ", self.cfg.start - dt.timedelta(days=365))
        add(
            V.CH["referral"],
            "顧客紹介プログラム",
            self.cfg.start - dt.timedelta(days=200),
            cost=int(rng.integers(5, 15)) * 10000,
        )
        camps.sort(key=lambda c: (c["start"], c["channel"], c["name"]))
        n = len(camps)
        self.n_campaigns = n
        self.c_channel = np.array([c["channel"] for c in camps], dtype=np.int8)
        self.c_name = [c["name"] for c in camps]
        self.c_start = np.array([jst_midnight(c["start"]) for c in camps], dtype=np.int64)
        self.c_end = np.array(
            [jst_midnight(c["end"]) if c["end"] else -1 for c in camps], dtype=np.int64
        )
        self.c_event = np.array([c["event"] for c in camps], dtype=np.int64)
        self.c_event_end = np.array([c["event_end"] for c in camps], dtype=np.int64)
        self.c_cost = np.array(
            [-1 if c["cost"] is None else c["cost"] for c in camps], dtype=np.int64
        )
        self.c_asset = [c["asset"] for c in camps]
        self.c_weight = np.array([c["weight"] for c in camps])
        self.c_quality = rng.normal(0, 0.25, n)
        self.c_label_style = rng.integers(0, 2, n)
        self.c_cost_commas = rng.random(n) < 0.4
        self.c_currency_null = rng.random(n) < 0.05
        self.by_channel = [np.flatnonzero(self.c_channel == c) for c in range(len(V.CHANNELS) + 1)]
        self.asset_vocab = list(V.PAGE_ASSETS) + [a or "" for a in self.c_asset]

    def campaign_by_time(self, channel: int, t: np.ndarray, back: int = 1) -> np.ndarray:
        """A campaign of ``channel`` started at or before ``t`` (one of the ``back`` latest)."""
        cand = self.by_channel[channel]
        if len(cand) == 0:
            return np.full(len(t), -1, dtype=np.int32)
        pos = np.searchsorted(self.c_start[cand], t, side="right") - 1
        if back > 1:
            pos = pos - self.rng.integers(0, back, len(t))
        return cand[np.clip(pos, 0, len(cand) - 1)].astype(np.int32)

    def next_event(self, channel: int, t: np.ndarray) -> np.ndarray:
        """The first campaign event of ``channel`` after ``t`` (-1 when none)."""
        cand = self.by_channel[channel]
        cand = cand[np.argsort(self.c_event[cand], kind="stable")]
        if len(cand) == 0:
            return np.full(len(t), -1, dtype=np.int32)
        pos = np.searchsorted(self.c_event[cand], t, side="right")
        return np.where(pos < len(cand), cand[np.minimum(pos, len(cand) - 1)], -1).astype(np.int32)

    # ================================================================== leads
    def sample_days(self, n: int, web: bool) -> np.ndarray:
        """Creation days (calendar index) with weekday, holiday, seasonal and trend weights."""
        cal = self.cal
        d0 = (self.cfg.start - self.cal_first).days
        d1 = (self.end_create_date - self.cal_first).days
        idx = np.arange(d0, d1)
        season = np.array([SEASON[m] for m in cal.month[idx]])
        trend = 1.0 + 0.25 * (idx - d0) / max(1, d1 - d0)
        if web:
            wd = np.where(cal.weekday[idx] == 5, 0.3, np.where(cal.weekday[idx] == 6, 0.25, 1.0))
            wd = np.where(cal.is_holiday[idx] & (cal.weekday[idx] < 5), 0.4, wd)
        else:
            wd = cal.is_business[idx].astype(float)
        w = season * trend * wd
        return self.rng.choice(idx, size=n, p=w / w.sum())

    def build_leads(self) -> None:
        rng = self.rng
        cal = self.cal
        n = self.cfg.n_leads
        counts = rng.multinomial(n, V.CHANNEL_SHARE)
        ch = np.repeat(np.arange(len(V.CHANNELS)), counts).astype(np.int8)
        t0 = np.zeros(n, dtype=np.int64)
        camp = np.full(n, -1, dtype=np.int32)
        event_t = np.full(n, -1, dtype=np.int64)
        for c in range(len(V.CHANNELS)):
            sel = np.flatnonzero(ch == c)
            m = len(sel)
            if m == 0:
                continue
            name = V.CHANNELS[c]
            cand = self.by_channel[c]
            if name in ("webinar", "seminar", "trade_show") and len(cand):
                w = self.c_weight[cand] * np.exp(self.c_quality[cand])
                cc = cand[rng.choice(len(cand), size=m, p=w / w.sum())]
                camp[sel] = cc
                ev = self.c_event[cc]
                event_t[sel] = ev
                if name in ("webinar", "seminar"):
                    # registration 0-3 weeks (webinar) / 0-4 weeks (seminar) before
                    span = 21 if name == "webinar" else 30
                    back = (span * rng.random(m) ** 2).astype(np.int64)
                    ev_day = (ev + JST) // DAY
                    first_day = (self.t_start + JST) // DAY
                    day = np.maximum(ev_day - back, first_day)
                    tod = weighted_codes(rng, HOUR_WEIGHTS, m) * 3600 + rng.integers(0, 3600, m)
                    t = day * DAY - JST + tod
                    t = np.where(t >= ev - 600, ev - rng.integers(600, 7200, m), t)
                else:
                    t = cal.add_business_hours(self.c_event_end[cc], rng.uniform(2, 40, m))
                    t = t + rng.integers(0, 600, m)
                lo = self.t_start + rng.integers(3600, 6 * 3600, m)
                t0[sel] = np.clip(t, lo, self.t_end_create - 60)
                continue
            web = name in ("content_download", "web_form", "paid_ads")
            days = self.sample_days(m, web)
            hour = weighted_codes(rng, HOUR_WEIGHTS, m) if web else rng.integers(9, 18, m)
            t0[sel] = cal.day_start(days) + hour * 3600 + rng.integers(0, 3600, m)
            if name == "content_download":
                camp[sel] = self.campaign_by_time(c, t0[sel], back=4)
            elif name == "paid_ads":
                # each month has two ad campaigns (Google first in sort order)
                other = rng.random(m) < 0.35
                alt = self.by_channel[c]
                month_of = np.searchsorted(self.c_start[alt], t0[sel], side="right") - 1
                pair = np.clip(month_of - (month_of % 2) + other.astype(int), 0, len(alt) - 1)
                camp[sel] = alt[pair]
            else:
                camp[sel] = self.campaign_by_time(c, t0[sel])
        camp[rng.random(n) < 0.03] = -1

        # sort leads by creation: lead ids follow creation order
        order = np.argsort(t0, kind="stable")
        self.n = n
        self.ch = ch[order]
        self.t0 = t0[order]
        self.lead_camp = camp[order]
        self.lead_event_t = event_t[order]
        ch, t0 = self.ch, self.t0

        # raw lead_source labels
        src_vocab: list[str] = []
        src_code = np.zeros(n, dtype=np.int16)
        u = rng.random(n)
        for c, options in enumerate(V.LEAD_SOURCE_LABELS):
            sel = np.flatnonzero(ch == c)
            base = len(src_vocab)
            src_vocab += [label for label, _ in options]
            src_code[sel] = base + weighted_codes(rng, [w for _, w in options], len(sel))
        unknown = u < V.UNKNOWN_SOURCE_RATE
        for c in range(len(V.CHANNELS)):
            label = V.UNKNOWN_SOURCE_BY_CHANNEL[c]
            if label not in src_vocab:
                src_vocab.append(label)
            src_code[unknown & (ch == c)] = src_vocab.index(label)
        src_code[
            (u >= V.UNKNOWN_SOURCE_RATE) & (u < V.UNKNOWN_SOURCE_RATE + V.EMPTY_SOURCE_RATE)
        ] = -1
        self.source_vocab = src_vocab
        self.source_code = src_code

        # companies
        nh, nb, nt = len(V.COMPANY_HEADS), len(V.COMPANY_BODIES), len(V.COMPANY_TAILS)
        n_combo = nh * nb * nt
        pool = min(max(50, n // 6), n_combo)
        combo = rng.choice(n_combo, size=pool, replace=False)
        head, body, tail = combo // (nb * nt), (combo // nt) % nb, combo % nt
        form = weighted_codes(rng, (0.6, 0.3, 0.05, 0.05), pool)
        names, domains = [], []
        for i in range(pool):
            h, b, t = V.COMPANY_HEADS[head[i]], V.COMPANY_BODIES[body[i]], V.COMPANY_TAILS[tail[i]]
            base = h[0] + b[0] + t[0]
            names.append(("株式会社" + base, base + "株式会社", "(株)" + base, base)[form[i]])
            domains.append(f"{h[1]}-{b[1]}{t[1]}.example.co.jp")
        self.company_names, self.company_domains = names, domains
        comp_industry = weighted_codes(rng, [x[2] for x in V.INDUSTRIES], pool)
        comp_emp = np.clip(np.exp(rng.normal(np.log(120), 1.5, pool)), 2, 200_000).astype(np.int64)
        comp_pref = weighted_codes(rng, [p[1] for p in V.PREFECTURES], pool)
        popularity = 1.0 / (np.arange(pool) + 5.0) ** 0.8
        company = rng.choice(pool, size=n, p=popularity / popularity.sum())
        self.company = company
        self.industry = comp_industry[company]
        self.industry_en = rng.random(n) < 0.25
        self.industry[rng.random(n) < 0.05] = -1
        self.emp = comp_emp[company]
        self.emp_valid = rng.random(n) >= 0.06
        self.emp_commas = (self.emp >= 1000) & (rng.random(n) < 0.15)
        pref = np.where(
            rng.random(n) < 0.85,
            comp_pref[company],
            weighted_codes(rng, [p[1] for p in V.PREFECTURES], n),
        )
        self.pref = pref
        self.region_west = np.array([p[3] for p in V.PREFECTURES], dtype=bool)[pref]
        self.country = weighted_codes(rng, [c[1] for c in V.COUNTRIES], n)
        self.level = weighted_codes(rng, V.JOB_LEVEL_SHARE, n)
        self.level_style = weighted_codes(rng, (0.45, 0.15, 0.25, 0.07, 0.08), n)
        titles: list[str] = []
        title_level: list[int] = []
        for lv, ranks in enumerate(V.TITLE_RANKS):
            for r in ranks:
                if lv == 0 or not r:
                    titles.append(r)
                    title_level.append(lv)
                    continue
                if r.isascii():
                    titles.append(r)
                    title_level.append(lv)
                    continue
                for dep in V.DEPARTMENTS:
                    titles.append(
                        f"{dep} {r}"
                        if r in ("マネージャー", "グループリーダー", "スタッフ", "リーダー")
                        else dep + r
                    )
                    title_level.append(lv)
        self.title_vocab = titles
        tl = np.array(title_level)
        self.title = np.zeros(n, dtype=np.int32)
        for lv in range(5):
            sel = np.flatnonzero(self.level == lv)
            opts = np.flatnonzero(tl == lv)
            self.title[sel] = opts[rng.integers(0, len(opts), len(sel))]
        self.title[rng.random(n) < 0.04] = -1
        self.style = np.where(rng.random(n) < 0.55, STYLE_JA, STYLE_SF).astype(np.int8)
        # person: for email and phone
        self.sur = rng.integers(0, len(V.SURNAMES), n)
        self.given = rng.integers(0, len(V.GIVEN_NAMES), n)
        self.email_form = weighted_codes(rng, (0.4, 0.25, 0.2, 0.15), n)
        self.email_num = np.where(rng.random(n) < 0.5, rng.integers(1, 1000, n), -1)
        self.email_null = rng.random(n) < 0.03
        self.phone_form = weighted_codes(rng, (0.66, 0.2, 0.03, 0.03, 0.08), n)
        self.phone_a = rng.integers(0, 10000, n)
        self.phone_b = rng.integers(0, 10000, n)
        self.mobile = rng.choice(np.array([90, 80, 70]), size=n)
        self.opted_out = rng.random(n) < 0.02
        self.opted_null = rng.random(n) < 0.04
        self.bool_style = weighted_codes(rng, V.BOOL_STYLE_SHARE, n)

        # hidden intent (drives conversion) and engagement (intent + noise)
        fit = (
            0.5 * (self.emp >= 300)
            + np.array([x[3] for x in V.INDUSTRIES])[self.industry] * (self.industry >= 0)
            + np.array([0.4, 0.4, 0.2, 0.0, -0.2])[self.level]
        )
        fit = fit - fit.mean() if n else fit
        q = (
            np.array(V.CHANNEL_INTENT)[ch]
            + rng.normal(0, 0.85, n)
            + 0.6 * fit
            + np.where(self.lead_camp >= 0, self.c_quality[np.maximum(self.lead_camp, 0)], 0)
        )
        self.q = q
        self.eng = q + rng.normal(0, 0.7, n)
        attr = (
            15 * (self.emp >= 500)
            + 10 * np.isin(self.industry, V.TARGET_INDUSTRIES)
            + np.array(V.JOB_LEVEL_POINTS)[self.level]
        )
        self.attr_score = attr
        # initial owner: marketing for inbound, a BDR for cold-call lists
        outbound = ch == V.CH["outbound"]
        owner = np.empty(n, dtype=np.int32)
        owner[~outbound] = self.pick_users(self.marketing_users, t0[~outbound])
        owner[outbound] = self.pick_group(np.full(int(outbound.sum()), V.GROUP_BDR), t0[outbound])
        self.init_owner = owner

    # ================================================================== events
    def _behaviour(self, lead: np.ndarray, t: np.ndarray, eng: np.ndarray):
        """Kinds, campaigns and assets for behaviour events at instants ``t``."""
        rng = self.rng
        e = len(lead)
        bucket = np.digitize(eng, [-0.3, 0.7])
        cdf = np.cumsum(
            np.array(V.KIND_WEIGHTS) / np.sum(V.KIND_WEIGHTS, axis=1, keepdims=True), axis=1
        )
        u = rng.random(e)
        kind = np.zeros(e, dtype=np.int8)
        for b in range(3):
            sel = bucket == b
            kind[sel] = np.minimum(np.searchsorted(cdf[b], u[sel], side="right"), len(V.KINDS) - 1)
        return self._assets(kind, t)

    def _assets(self, kind: np.ndarray, t: np.ndarray):
        rng = self.rng
        e = len(kind)
        t = t.copy()
        camp = np.full(e, -1, dtype=np.int32)
        asset = np.full(e, -1, dtype=np.int32)
        ok = np.ones(e, dtype=bool)
        n_pages = len(V.PAGE_ASSETS)
        for k, (name, _etype, options, _pts) in enumerate(V.KINDS):
            sel = np.flatnonzero(kind == k)
            if len(sel) == 0:
                continue
            if options:
                codes = np.array([V.PA[o] for o in options])
                asset[sel] = codes[rng.integers(0, len(codes), len(sel))]
            if name == "content_download":
                camp[sel] = self.campaign_by_time(V.CH["content_download"], t[sel], back=4)
                asset[sel] = n_pages + camp[sel]
            elif name in ("email_open", "email_click"):
                camp[sel] = self.campaign_by_time(V.EMAIL_CHANNEL, t[sel])
                asset[sel] = n_pages + camp[sel]
            elif name in ("seminar_registered", "seminar_attended", "webinar_attended"):
                channel = V.CH["webinar"] if name == "webinar_attended" else V.CH["seminar"]
                after = t[sel] + (DAY if name == "seminar_registered" else 0)
                nxt = self.next_event(channel, after)
                camp[sel] = nxt
                ok[sel] = nxt >= 0
                if name != "seminar_registered":
                    t[sel] = np.where(
                        nxt >= 0, self.c_event[np.maximum(nxt, 0)], t[sel]
                    ) + rng.integers(0, 900, len(sel))
        return kind, t, camp, asset, ok

    def build_events(self) -> None:
        rng = self.rng
        n = self.n
        ch, t0 = self.ch, self.t0
        lam = 5.0 * np.array(V.CHANNEL_ENGAGEMENT)[ch] * np.exp(0.55 * self.eng)
        cnt = np.minimum(rng.poisson(lam), 60)
        lead = np.repeat(np.arange(n, dtype=np.int32), cnt)
        e = len(lead)
        window = rng.uniform(20, 160, n) * DAY
        t = t0[lead] + (window[lead] * rng.random(e) ** 1.6).astype(np.int64)
        day = (t + JST) // DAY
        tod = weighted_codes(rng, HOUR_WEIGHTS, e) * 3600 + rng.integers(0, 3600, e)
        t = day * DAY - JST + tod
        early = t <= t0[lead]
        t = np.where(early, t0[lead] + rng.integers(60, 7200, e), t)
        kind, t, camp, asset, ok = self._behaviour(lead, t, self.eng[lead])
        parts = [(lead[ok], t[ok], kind[ok], camp[ok], asset[ok])]

        # creation events per channel
        K = V.K

        def creation(sel, kinds, times, camps=None):
            sel = np.asarray(sel)
            kinds = np.broadcast_to(np.asarray(kinds, dtype=np.int8), sel.shape).copy()
            k2, tt, cc, aa, _ok = self._assets(kinds, np.asarray(times, dtype=np.int64))
            if camps is not None:
                cc = np.where(camps >= 0, camps, cc).astype(np.int32)
                content = k2 == K["content_download"]
                aa = np.where(content & (cc >= 0), len(V.PAGE_ASSETS) + cc, aa)
            parts.append((sel.astype(np.int32), tt, k2, cc, aa))

        for c in ("webinar", "seminar"):
            sel = np.flatnonzero((ch == V.CH[c]) & (self.lead_camp >= 0) & (self.lead_event_t >= 0))
            creation(sel, K["seminar_registered"], t0[sel], self.lead_camp[sel])
            p = sigmoid((0.2 if c == "webinar" else 0.5) + 0.6 * self.eng[sel])
            att = sel[rng.random(len(sel)) < p]
            kind = K["webinar_attended"] if c == "webinar" else K["seminar_attended"]
            tt = self.lead_event_t[att] + rng.integers(0, 900, len(att))
            parts.append(
                (
                    att.astype(np.int32),
                    tt,
                    np.full(len(att), kind, np.int8),
                    self.lead_camp[att],
                    np.full(len(att), -1, np.int32),
                )
            )
        sel = np.flatnonzero(ch == V.CH["content_download"])
        creation(sel, K["content_download"], t0[sel], self.lead_camp[sel])
        sel = np.flatnonzero(ch == V.CH["web_form"])
        kinds = np.array(
            [K["contact_request"], K["form_submit"], K["demo_request"], K["quote_request"]]
        )
        creation(sel, kinds[weighted_codes(rng, (0.5, 0.32, 0.12, 0.06), len(sel))], t0[sel])
        sel = np.flatnonzero(ch == V.CH["paid_ads"])
        lp = np.maximum(t0[sel] - rng.integers(30, 600, len(sel)), self.t_start)
        creation(sel, K["pv_feature"], lp, self.lead_camp[sel])
        creation(sel, K["form_submit"], t0[sel], self.lead_camp[sel])
        for c, share in (("referral", (0.55, 0.2, 0.25)), ("partner", (0.25, 0.2, 0.55))):
            sel = np.flatnonzero(ch == V.CH[c])
            pick = weighted_codes(rng, share, len(sel))
            sel = sel[pick < 2]
            creation(
                sel, np.where(pick[pick < 2] == 0, K["contact_request"], K["form_submit"]), t0[sel]
            )

        self.ev_parts = parts
        ev = self.events_arrays()
        # MQL instant (example scoring, threshold 40) and first fast-track request
        order = np.lexsort((ev["t"], ev["lead"]))
        lead_s, t_s, kind_s = ev["lead"][order], ev["t"][order], ev["kind"][order]
        points = np.array([k[3] for k in V.KINDS])[kind_s]
        counts = np.bincount(lead_s, minlength=n)
        score = grouped_cumsum(points, counts)
        hit = np.flatnonzero(score >= V.MQL_THRESHOLD - self.attr_score[lead_s])
        self.t_mql = np.full(n, INF, dtype=np.int64)
        first_leads, first = np.unique(lead_s[hit], return_index=True)
        self.t_mql[first_leads] = np.maximum(
            t_s[hit[first]] + rng.integers(0, 900, len(first)), t0[first_leads] + 60
        )
        req = np.flatnonzero(np.isin(kind_s, V.REQUEST_KINDS))
        self.t_req = np.full(n, INF, dtype=np.int64)
        first_leads, first = np.unique(lead_s[req], return_index=True)
        self.t_req[first_leads] = t_s[req[first]]
        # booth staff rank some trade-show cards "A": marketing qualifies them by hand
        rank_a = np.flatnonzero((ch == V.CH["trade_show"]) & (self.q > 0.0) & (rng.random(n) < 0.6))
        t_a = ceil_minute(self.cal.add_business_hours(t0[rank_a], rng.uniform(2, 24, len(rank_a))))
        self.t_mql[rank_a] = np.minimum(self.t_mql[rank_a], t_a)

    def events_arrays(self) -> dict[str, np.ndarray]:
        cols = ("lead", "t", "kind", "camp", "asset")
        dtypes = (np.int32, np.int64, np.int8, np.int32, np.int32)
        return {
            c: np.concatenate([p[i] for p in self.ev_parts]).astype(d)
            for i, (c, d) in enumerate(zip(cols, dtypes, strict=True))
        }
