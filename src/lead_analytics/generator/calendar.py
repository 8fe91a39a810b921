"""Tokyo business calendar for the generator: instants are int64 UTC epoch seconds.

Business time is Mon-Fri 09:00-18:00 JST minus Japanese national holidays (``holidays``
package) and the usual year-end closure (Dec 29 - Jan 3). ``add_business_hours`` maps an
instant to "business seconds since the calendar origin", adds, and maps back, so every
result lands inside business hours: that is how reps' activities get their rhythm.
"""

from __future__ import annotations

import datetime as dt

import holidays
import numpy as np

JST = 9 * 3600
DAY = 86400
OPEN = 9 * 3600
CLOSE = 18 * 3600
BUSINESS_DAY = CLOSE - OPEN


def jst_midnight(day: dt.date) -> int:
    """Epoch seconds of 00:00 JST on ``day``."""
    return (day - dt.date(1970, 1, 1)).days * DAY - JST


def add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year = day.year + month0 // 12
    month = month0 % 12 + 1
    last = [
        31,
        29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28,
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ][month - 1]
    return dt.date(year, month, min(day.day, last))


def is_company_closure(day: dt.date) -> bool:
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


class BusinessCalendar:
    """Day-level JST calendar between ``first_day`` and ``last_day`` (inclusive)."""

    def __init__(self, first_day: dt.date, last_day: dt.date) -> None:
        n_days = (last_day - first_day).days + 1
        self.first_day = first_day
        self.n_days = n_days
        self.origin = jst_midnight(first_day)
        days = [first_day + dt.timedelta(days=i) for i in range(n_days)]
        jp = holidays.country_holidays("JP", years=range(first_day.year, last_day.year + 1))
        self.is_holiday = np.array([d in jp or is_company_closure(d) for d in days], dtype=bool)
        self.weekday = np.array([d.weekday() for d in days], dtype=np.int8)
        self.month = np.array([d.month for d in days], dtype=np.int8)
        self.is_business = (self.weekday < 5) & ~self.is_holiday
        seconds = np.where(self.is_business, BUSINESS_DAY, 0).astype(np.int64)
        self.cum = np.concatenate([[0], np.cumsum(seconds)]).astype(np.int64)

    # ----------------------------------------------------------------- day helpers
    def day_of(self, t: np.ndarray) -> np.ndarray:
        return np.clip((np.asarray(t) - self.origin) // DAY, 0, self.n_days - 1)

    def day_start(self, day: np.ndarray) -> np.ndarray:
        return self.origin + np.asarray(day, dtype=np.int64) * DAY

    def second_of_day(self, t: np.ndarray) -> np.ndarray:
        return (np.asarray(t) - self.origin) % DAY

    # ----------------------------------------------------------------- business time
    def to_business(self, t: np.ndarray) -> np.ndarray:
        t = np.asarray(t, dtype=np.int64)
        day = self.day_of(t)
        sod = t - self.origin - day * DAY
        within = np.clip(sod - OPEN, 0, BUSINESS_DAY) * self.is_business[day]
        return self.cum[day] + within

    def from_business(self, x: np.ndarray) -> np.ndarray:
        x = np.clip(np.asarray(x, dtype=np.int64), 0, self.cum[-1] - 1)
        day = np.searchsorted(self.cum, x, side="right") - 1
        return self.origin + day * DAY + OPEN + (x - self.cum[day])

    def add_business_hours(self, t: np.ndarray, hours: np.ndarray | float) -> np.ndarray:
        """The instant ``hours`` business hours after ``t`` (a start outside business
        hours counts from the next opening)."""
        delta = np.round(np.asarray(hours, dtype=np.float64) * 3600).astype(np.int64)
        return self.from_business(self.to_business(t) + delta)

    def overtime(self, t: np.ndarray, chosen: np.ndarray) -> np.ndarray:
        """Move chosen instants that fall in the last business hour into the evening
        (18:00-20:30): a little overtime. Never moves an instant earlier."""
        t = np.asarray(t, dtype=np.int64)
        sod = self.second_of_day(t)
        late = chosen & (sod >= CLOSE - 3600) & (sod < CLOSE) & self.is_business[self.day_of(t)]
        shifted = t - sod + CLOSE + (sod - (CLOSE - 3600)) * 5 // 2
        return np.where(late, shifted, t)


def ceil_minute(t: np.ndarray) -> np.ndarray:
    return -(-np.asarray(t, dtype=np.int64) // 60) * 60
