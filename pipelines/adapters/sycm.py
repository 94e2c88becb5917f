"""生意参谋 (Alibaba's shop analytics) traffic downloads, for Tmall/Taobao."""

from __future__ import annotations

from pipelines.adapters.base import (
    Adapted,
    Adapter,
    Export,
    Mapping,
    with_source_rows,
)
from pipelines.adapters.traffic_reports import traffic_rows
from pipelines.lib.settings import Settings

SYCM = {
    "date": ("统计日期", "日期"),
    "channel": ("流量来源", "来源", "一级来源"),
    "device": ("终端", "设备", "终端类型"),
    "sessions": ("访客数",),
    "visitors": ("访客数",),
    "page_views": ("浏览量",),
    "product_views": ("商品访客数",),
    "add_to_cart": ("加购人数", "加购件数"),
    "checkouts": ("下单买家数",),
    "orders": ("支付子订单数", "支付订单数", "支付买家数"),
}


def convert_sycm(export: Export, settings: Settings) -> Adapted:
    frame = with_source_rows(export.frame)
    return traffic_rows(
        frame, SYCM, settings.alibaba_platform, "全部", lambda d: d.str.slice(0, 10)
    )


ADAPTERS = (
    Adapter(
        name="sycm_traffic",
        title="生意参谋 traffic export (流量看板 / 店铺来源)",
        source="traffic",
        signature=("访客数", "浏览量"),
        convert=convert_sycm,
        how_to_export="生意参谋 > 流量 > 流量看板 or 店铺来源 > 下载, by day (日)",
        mappings=(
            *tuple(
                Mapping(
                    k,
                    " / ".join(v),
                    {
                        "sessions": "生意参谋 has no sessions: 访客数 (daily unique visitors) is "
                        "the closest unit, so conversion_rate there is per visitor",
                        "orders": "支付子订单数, else 支付订单数, else 支付买家数",
                        "channel": "全部 when the export is not split by source",
                    }.get(k, ""),
                )
                for k, v in SYCM.items()
            ),
            Mapping("platform", "(setting)", "SHOPKPI_ALIBABA_PLATFORM, default tmall"),
        ),
    ),
)
