"""What a Chongqing 10086 centre handles: products, districts, queues, complaint categories
and the calendar's rhythm. Numbers are plausible round figures, not measurements.

Volumes are Pareto-like: the first five products carry about 60 % of the calls. Each product
has a base first-contact resolution (before the agent's skill), a log-normal handling time
(median, σ of the log), how often it needs identity checks or the back office, how often a
caller reaches the complaint queue about it, and which complaint categories it produces.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

QUEUES: tuple[str, ...] = ("A", "A+", "B", "话费专席", "数据专席", "投诉专席", "VIP", "全球通")
GENERAL_QUEUES: tuple[str, ...] = ("A", "A+", "B", "话费专席", "数据专席")
PREMIUM_QUEUES: tuple[str, ...] = ("VIP", "全球通", "投诉专席")
COMPLAINT_QUEUE = "投诉专席"

# Log-odds added to a call's chance of being resolved, by queue: A+ takes the complex cases,
# B the simple ones, the complaint queue the angry callers.
QUEUE_DIFFICULTY: dict[str, float] = {
    "A": 0.0, "A+": -0.25, "B": 0.25, "话费专席": 0.0, "数据专席": 0.0,
    "投诉专席": -0.9, "VIP": 0.15, "全球通": 0.1,
}

# Pareto-like: the first three categories carry about 75 % of the complaints.
CATEGORIES: tuple[str, ...] = ("资费争议", "网络质量", "服务态度", "业务办理差错", "营销扰民",
                               "宽带维修不及时")

CHANNELS: tuple[str, ...] = ("voice", "video", "online")
CHANNEL_WEIGHTS: tuple[float, ...] = (0.93, 0.02, 0.05)

# Customer tiers decide the queue before the topic does.
TIER_WEIGHTS: tuple[float, ...] = (0.85, 0.10, 0.05)  # ordinary, 全球通, VIP


@dataclass(frozen=True)
class Product:
    name: str
    weight: float  # share of volume, relative
    fcr: float  # resolution probability for an average agent on an average queue
    median_s: float  # handling time median (seconds)
    sigma: float  # σ of log handling time
    verify: float  # probability the call needs an identity check
    backoffice: float  # probability the agent needs the back office (ticket, transfer)
    complaint: float  # base probability of a complaint ticket when unresolved
    complaint_intent: float  # share of callers who choose the complaint menu in the IVR
    categories: tuple[tuple[str, float], ...]
    queues: tuple[tuple[str, float], ...]  # routing for ordinary customers
    billing_day: float = 1.0  # volume factor on the 1st–5th (bills come out on the 3rd)


_BILL = (("话费专席", 0.55), ("A", 0.3), ("A+", 0.1), ("B", 0.05))
_DATA = (("数据专席", 0.45), ("A", 0.3), ("B", 0.15), ("A+", 0.1))
_GENERAL = (("A", 0.5), ("B", 0.3), ("A+", 0.2))
_SIMPLE = (("B", 0.5), ("A", 0.45), ("A+", 0.05))
_COMPLEX = (("A+", 0.45), ("A", 0.45), ("B", 0.1))

PRODUCTS: tuple[Product, ...] = (
    Product("话费查询", 16, 0.91, 110, 0.45, 0.35, 0.03, 0.026, 0.004,
            (("资费争议", 0.8), ("服务态度", 0.2)), _BILL, billing_day=1.7),
    Product("流量套餐", 13, 0.86, 140, 0.50, 0.30, 0.05, 0.039, 0.006,
            (("资费争议", 0.55), ("营销扰民", 0.2), ("服务态度", 0.25)), _DATA),
    Product("账单异议", 8, 0.66, 230, 0.55, 0.75, 0.22, 0.156, 0.040,
            (("资费争议", 0.75), ("业务办理差错", 0.1), ("服务态度", 0.15)), _BILL,
            billing_day=1.6),
    Product("增值业务退订", 7, 0.82, 150, 0.50, 0.50, 0.10, 0.117, 0.030,
            (("资费争议", 0.5), ("营销扰民", 0.35), ("服务态度", 0.15)), _BILL),
    Product("5G套餐变更", 7, 0.85, 180, 0.50, 0.50, 0.06, 0.052, 0.006,
            (("业务办理差错", 0.45), ("资费争议", 0.3), ("营销扰民", 0.25)), _GENERAL),
    Product("宽带故障", 7, 0.58, 210, 0.55, 0.40, 0.35, 0.13, 0.030,
            (("宽带维修不及时", 0.6), ("网络质量", 0.25), ("服务态度", 0.15)), _DATA),
    Product("网络信号", 5, 0.62, 170, 0.50, 0.20, 0.25, 0.104, 0.020,
            (("网络质量", 0.85), ("服务态度", 0.15)), _DATA),
    Product("停开机", 5, 0.83, 130, 0.45, 0.70, 0.08, 0.065, 0.010,
            (("业务办理差错", 0.4), ("资费争议", 0.35), ("服务态度", 0.25)), _BILL),
    Product("宽带办理", 4, 0.80, 200, 0.50, 0.45, 0.15, 0.052, 0.005,
            (("业务办理差错", 0.5), ("宽带维修不及时", 0.3), ("营销扰民", 0.2)), _GENERAL),
    Product("积分兑换", 4, 0.90, 115, 0.45, 0.40, 0.03, 0.021, 0.002,
            (("业务办理差错", 0.6), ("服务态度", 0.4)), _SIMPLE),
    Product("国际漫游", 3, 0.85, 160, 0.50, 0.45, 0.06, 0.052, 0.006,
            (("资费争议", 0.7), ("网络质量", 0.2), ("服务态度", 0.1)), _GENERAL),
    Product("补换卡", 3, 0.86, 120, 0.45, 0.80, 0.05, 0.031, 0.003,
            (("业务办理差错", 0.6), ("服务态度", 0.4)), _SIMPLE),
    Product("携号转网", 2.5, 0.74, 160, 0.50, 0.85, 0.15, 0.104, 0.015,
            (("业务办理差错", 0.45), ("服务态度", 0.3), ("营销扰民", 0.25)), _COMPLEX),
    Product("彩铃", 2.5, 0.91, 100, 0.45, 0.30, 0.03, 0.031, 0.004,
            (("资费争议", 0.6), ("营销扰民", 0.4)), _SIMPLE),
    Product("亲情网/集团V网", 2.5, 0.85, 140, 0.50, 0.50, 0.08, 0.031, 0.003,
            (("业务办理差错", 0.6), ("资费争议", 0.4)), _GENERAL),
    Product("发票", 2.5, 0.88, 110, 0.45, 0.45, 0.06, 0.021, 0.002,
            (("业务办理差错", 0.7), ("服务态度", 0.3)), _BILL, billing_day=1.4),
    Product("服务密码", 2.5, 0.86, 110, 0.45, 0.90, 0.05, 0.026, 0.003,
            (("业务办理差错", 0.5), ("服务态度", 0.5)), _SIMPLE),
    Product("销户", 1.5, 0.72, 160, 0.50, 0.90, 0.12, 0.091, 0.012,
            (("业务办理差错", 0.5), ("服务态度", 0.3), ("资费争议", 0.2)), _COMPLEX),
)
PRODUCT_INDEX: dict[str, int] = {p.name: i for i, p in enumerate(PRODUCTS)}

# Chongqing districts with their population (10,000s), the callers' home district.
REGIONS: tuple[tuple[str, float], ...] = (
    ("渝北区", 220), ("万州区", 156), ("九龙坡区", 153), ("沙坪坝区", 150), ("江津区", 136),
    ("合川区", 124), ("南岸区", 120), ("巴南区", 118), ("永川区", 114), ("涪陵区", 112),
    ("江北区", 93), ("北碚区", 83), ("渝中区", 59), ("大渡口区", 42),
)
REGION_NAMES: tuple[str, ...] = tuple(name for name, _ in REGIONS)
# Administrative codes, the first six characters of a resident ID number.
REGION_CODES: dict[str, str] = {
    "万州区": "500101", "涪陵区": "500102", "渝中区": "500103", "大渡口区": "500104",
    "江北区": "500105", "沙坪坝区": "500106", "九龙坡区": "500107", "南岸区": "500108",
    "北碚区": "500109", "渝北区": "500112", "巴南区": "500113", "江津区": "500116",
    "合川区": "500117", "永川区": "500118",
}

# Calls per hour, relative: a morning peak 9–11, an afternoon peak 14–17, a quiet night.
HOUR_WEIGHTS_WEEKDAY: tuple[float, ...] = (
    0.6, 0.35, 0.2, 0.15, 0.15, 0.25, 0.8, 2.2, 5.5, 9.0, 10.0, 9.2,
    6.5, 6.0, 8.6, 9.2, 9.0, 8.2, 6.0, 5.2, 5.0, 4.2, 2.6, 1.3,
)
HOUR_WEIGHTS_WEEKEND: tuple[float, ...] = (
    0.8, 0.45, 0.25, 0.15, 0.15, 0.2, 0.5, 1.4, 3.6, 6.8, 8.4, 8.6,
    7.0, 6.6, 7.8, 8.2, 8.0, 7.4, 6.2, 5.8, 5.6, 4.6, 3.0, 1.6,
)
# Monday is the busiest day; weekends are lower.
WEEKDAY_VOLUME: tuple[float, ...] = (1.16, 1.06, 1.02, 1.0, 0.98, 0.74, 0.68)

# Golden Week: fewer calls during the holiday, more roaming questions before and during it.
_GOLDEN_WEEK = (10, 1), (10, 7)


def holiday_volume(day: date) -> float:
    """Volume factor of a day for public holidays (National Day week)."""
    if (day.month, day.day) < _GOLDEN_WEEK[0] or (day.month, day.day) > _GOLDEN_WEEK[1]:
        return 1.0
    return 0.72 if day.day <= 3 else 0.85


def roaming_season(day: date) -> float:
    """Roaming volume factor: travellers call in the ten days before and during Golden Week."""
    if day.month == 9 and day.day >= 20:
        return 2.4
    if day.month == 10 and day.day <= 7:
        return 1.8
    return 1.0
