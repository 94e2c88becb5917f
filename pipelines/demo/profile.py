"""Who the demo shop is: its platforms, catalogue, customers, carriers, campaigns and
clock. Every number that shapes the generated exports lives here."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np

SHOP_TZ = ZoneInfo("Asia/Shanghai")
US_TZ = ZoneInfo("America/Los_Angeles")
DEFAULT_ORDER_LINES = 60_000
DEFAULT_END = dt.date(2026, 10, 31)
DAYS = 730

CATEGORIES = {
    # category: (unit cost range in CNY, nouns, kg per unit)
    "厨房用品": ((8, 120), ["保温杯", "不粘锅", "砧板", "刀具套装", "保鲜盒", "咖啡壶"], 0.8),
    "家居收纳": ((5, 90), ["收纳箱", "衣架", "置物架", "真空压缩袋", "鞋柜"], 1.2),
    "个护清洁": ((4, 60), ["洗发水", "沐浴露", "牙刷", "洗衣凝珠", "护手霜"], 0.5),
    "数码配件": ((10, 160), ["数据线", "充电器", "蓝牙耳机", "手机壳", "移动电源"], 0.2),
    "母婴用品": ((12, 150), ["奶瓶", "纸尿裤", "婴儿湿巾", "辅食碗", "安抚奶嘴"], 0.7),
    "宠物用品": ((6, 110), ["猫砂", "狗粮", "宠物窝", "逗猫棒", "宠物饮水机"], 1.5),
    "运动户外": ((15, 200), ["瑜伽垫", "跳绳", "登山包", "运动水壶", "护膝"], 0.9),
    "食品饮料": ((3, 50), ["坚果礼盒", "挂耳咖啡", "燕麦片", "花草茶", "牛肉干"], 0.6),
}
VARIANTS = ["黑色", "白色", "灰色", "蓝色", "粉色", "大号", "小号", "标准装", "家庭装", "礼盒装"]

PLATFORMS = ("tmall", "jd", "douyin", "shopify")
PLATFORM_SHARE = np.array([0.40, 0.25, 0.22, 0.13])
PLATFORM_CURRENCY = {"tmall": "CNY", "jd": "CNY", "douyin": "CNY", "shopify": "USD"}
PRICE_FACTOR = {"tmall": 1.0, "jd": 0.98, "douyin": 0.93}
REFUND_FACTOR = {"tmall": 1.0, "jd": 0.8, "douyin": 1.9, "shopify": 0.9}  # live commerce returns
# the monthly targets: planned order lines × the platform's mean price × this (a little
# above what a line brings in after discounts and refunds: targets are a stretch)
TARGET_PER_PLANNED_LINE = 1.25
CONVERSION = {"tmall": 0.031, "jd": 0.026, "douyin": 0.018, "shopify": 0.016}

CN_REGIONS = {  # province: (weight, warehouse, remote)
    "广东": (14, "华南仓", False),
    "浙江": (10, "华东仓", False),
    "江苏": (10, "华东仓", False),
    "上海": (7, "华东仓", False),
    "北京": (6, "华东仓", False),
    "山东": (7, "华东仓", False),
    "四川": (6, "华南仓", False),
    "福建": (5, "华南仓", False),
    "湖北": (5, "华南仓", False),
    "河南": (6, "华东仓", False),
    "湖南": (4, "华南仓", False),
    "广西": (3, "华南仓", False),
    "新疆": (1, "华东仓", True),
    "西藏": (0.3, "华南仓", True),
}
US_REGIONS = {"CA": 12, "NY": 8, "TX": 9, "FL": 6, "WA": 4, "IL": 4, "NJ": 3, "MA": 3, "AK": 0.4}
US_WAREHOUSE = "美国海外仓"

CARRIERS = {  # carrier: (platforms, weight, promised days, late probability, base cost)
    "中通快递": (("tmall", "douyin"), 35, 3, 0.10, 5.5),
    "圆通速递": (("tmall", "douyin"), 25, 3, 0.12, 5.0),
    "韵达快递": (("tmall", "douyin"), 20, 3, 0.18, 4.8),
    "顺丰速运": (("tmall", "douyin", "jd"), 20, 2, 0.04, 13.0),
    "京东物流": (("jd",), 90, 1, 0.03, 9.0),
    "UPS": (("shopify",), 40, 4, 0.08, 9.5),
    "USPS": (("shopify",), 35, 5, 0.15, 6.5),
    "FedEx": (("shopify",), 25, 3, 0.07, 11.0),
}

CHANNELS = {  # platform: [(channel, share of orders, conversion factor)]
    "tmall": [("手淘搜索", 0.38, 1.2), ("手淘推荐", 0.18, 0.6), ("直通车", 0.14, 1.0),
              ("万相台", 0.10, 0.9), ("直播", 0.12, 1.4), ("淘内免费其他", 0.08, 0.8)],
    "jd": [("京东搜索", 0.45, 1.2), ("京东推荐", 0.20, 0.7), ("京东快车", 0.20, 1.0),
           ("其他", 0.15, 0.8)],
    "douyin": [("直播间", 0.50, 1.3), ("短视频", 0.22, 0.7), ("商品卡", 0.13, 1.0),
               ("千川", 0.15, 0.9)],
    "shopify": [("Organic Search", 0.30, 1.1), ("Paid Search", 0.22, 1.0),
                ("Paid Social", 0.20, 0.6), ("Email", 0.12, 1.8), ("Direct", 0.16, 1.3)],
}  # fmt: skip
DEVICES = {
    "tmall": [("无线端", 0.88), ("PC端", 0.12)],
    "jd": [("无线端", 0.80), ("PC端", 0.20)],
    "douyin": [("无线端", 1.0)],
    "shopify": [("mobile", 0.68), ("desktop", 0.32)],
}

CAMPAIGNS = [  # (ad_platform, id, name, sells on, share of spend, efficiency, start, end)
    ("alimama", "AM-1001", "直通车-核心词", "tmall", 0.30, 1.25, 0, DAYS),
    ("alimama", "AM-1002", "直通车-长尾词", "tmall", 0.15, 1.05, 0, DAYS),
    ("alimama", "AM-1003", "引力魔方-拉新", "tmall", 0.20, 0.45, 60, DAYS),
    ("alimama", "AM-1004", "万相台-大促爆发", "tmall", 0.25, 0.85, 120, DAYS),
    ("alimama", "AM-1005", "品销宝-品牌专区", "tmall", 0.10, 1.50, 0, 500),
    ("ocean_engine", "OE-2001", "千川-直播间成交", "douyin", 0.45, 1.00, 0, DAYS),
    ("ocean_engine", "OE-2002", "千川-短视频带货", "douyin", 0.30, 0.75, 30, DAYS),
    ("ocean_engine", "OE-2003", "千川-商品卡推广", "douyin", 0.25, 0.60, 200, DAYS),
    ("google_ads", "GA-3001", "Search - Brand", "shopify", 0.25, 1.60, 0, DAYS),
    ("google_ads", "GA-3002", "PMax - All Products", "shopify", 0.35, 0.95, 90, DAYS),
    ("google_ads", "GA-3003", "Shopping - Kitchen", "shopify", 0.15, 0.80, 0, 600),
    ("meta_ads", "MA-4001", "Prospecting - Broad", "shopify", 0.15, 0.50, 0, DAYS),
    ("meta_ads", "MA-4002", "Retargeting - 30d", "shopify", 0.10, 1.30, 150, DAYS),
]
AD_CPC = {"alimama": 1.3, "ocean_engine": 0.9, "google_ads": 0.85, "meta_ads": 0.6}
AD_CTR = {"alimama": 0.028, "ocean_engine": 0.012, "google_ads": 0.045, "meta_ads": 0.011}
AD_CURRENCY = {"alimama": "CNY", "ocean_engine": "CNY", "google_ads": "USD", "meta_ads": "USD"}
ATTRIBUTED_SHARE = 0.30  # orders that arrive through a paid campaign, on an ordinary day
TARGET_ROAS = 3.2
DIMINISHING = 0.6  # attributed orders grow with spend ** 0.6

HOUR_WEIGHTS = np.array([0.6, 0.3, 0.15, 0.1, 0.1, 0.15, 0.3, 0.6, 1.0, 1.3, 1.4, 1.3,
                         1.2, 1.3, 1.3, 1.2, 1.1, 1.1, 1.2, 1.5, 1.8, 2.0, 1.9, 1.3])  # fmt: skip
WEEKDAY = {  # Monday first
    "cn": np.array([0.96, 0.93, 0.95, 0.98, 1.02, 1.09, 1.10]),
    "us": np.array([1.02, 0.98, 0.97, 0.98, 1.00, 0.99, 1.08]),
}
