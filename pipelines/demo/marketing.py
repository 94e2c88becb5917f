"""Ad campaigns: daily budgets that follow demand, their efficiency, the daily ads rows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.demo.profile import (
    AD_CPC,
    AD_CTR,
    AD_CURRENCY,
    ATTRIBUTED_SHARE,
    CAMPAIGNS,
    DIMINISHING,
    PLATFORMS,
    TARGET_ROAS,
)


@dataclass
class Campaign:
    ad_platform: str
    campaign_id: str
    campaign_name: str
    platform: str
    spend: np.ndarray  # per day, in the ad account's currency
    k: float  # attributed orders per spend ** DIMINISHING


def campaign_plan(
    lines_per_day: np.ndarray, avg_price: dict[str, float]
) -> dict[str, list[Campaign]]:
    """Daily budgets that follow demand (pushed harder on peaks) and their efficiency."""
    plan: dict[str, list[Campaign]] = {p: [] for p in PLATFORMS}
    rng = np.random.default_rng(7)  # budgets are a plan, not part of the order stream
    for ad_platform, cid, name, platform, share, eff, start, stop in CAMPAIGNS:
        p = PLATFORMS.index(platform)
        orders = lines_per_day[:, p] / 1.4
        typical = max(float(np.median(orders)), 1.0)
        base_orders = typical * ATTRIBUTED_SHARE * share
        base_spend = base_orders * avg_price[platform] / TARGET_ROAS
        demand = orders / typical
        spend = base_spend * demand**0.8 * rng.lognormal(0, 0.15, len(orders))
        spend[: max(start, 0)] = 0
        spend[stop:] = 0
        spend[rng.random(len(orders)) < 0.03] = 0  # paused for a day
        spend = np.round(spend, 2)
        k = eff * base_orders / base_spend**DIMINISHING
        plan[platform].append(Campaign(ad_platform, cid, name, platform, spend, k))
    return plan


def ads_row(rng, day, camp: Campaign, spend: float, orders: int, value: float) -> dict:
    clicks = max(int(spend / AD_CPC[camp.ad_platform] * rng.lognormal(0, 0.1)), 0)
    impressions = int(clicks / AD_CTR[camp.ad_platform] * rng.lognormal(0, 0.1))
    # platforms claim more than last click gives them (view-through, multi-touch)
    claim = rng.uniform(1.1, 1.5)
    return {
        "date": day.isoformat(),
        "ad_platform": camp.ad_platform,
        "account_id": f"{camp.ad_platform}-main",
        "campaign_id": camp.campaign_id,
        "campaign_name": camp.campaign_name,
        "spend": spend,
        "currency": AD_CURRENCY[camp.ad_platform],
        "impressions": impressions,
        "clicks": clicks,
        "conversions": round(orders * claim, 1),
        "conversion_value": round(value * claim, 2),
    }
