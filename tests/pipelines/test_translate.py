"""The pipeline's English messages in Chinese for /data-health: one rule per message shape."""

import pytest

from pipelines.lib.translate import to_chinese


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("quantity: '-5' is below 0", "quantity：'-5' 小于 0"),
        ("paid_ts: 'soon' is not a date and time (ISO 8601, e.g. 2025-06-18 20:15:00+08:00)",
         "paid_ts：'soon' 不是日期时间（ISO 8601，例如 2025-06-18 20:15:00+08:00）"),
        ("order_id is empty (a value is required); currency: 'RMB1' is not a 3-letter ISO 4217 "
         "code", "order_id 为空（必填）；currency：'RMB1' 不是 3 位 ISO 4217 币种代码"),
        ("duplicate platform + order_id + line_id in the same file; row 7 is kept",
         "同一文件中 platform + order_id + line_id 重复；保留第 7 行"),
        ("2 row(s) quarantined; first: status: 'lost' is not one of pending, paid",
         "2 行已隔离；第一条：status：'lost' 不在允许的取值 pending, paid 之中"),
        ("missing required column sku for source 'orders'; it looks like a products file: put "
         "it in inbox/products/",
         "缺少数据源 orders 的必需列 sku；看起来是 products 文件：请放入 inbox/products/"),
        ("3 row(s) have a paid_ts that the clock skipped or repeated in America/Los_Angeles (a "
         "daylight-saving change); read as Python's zoneinfo reads them",
         "3 行的 paid_ts 落在 America/Los_Angeles 夏令时调整时跳过或重复的时刻：按 Python zoneinfo "
         "的方式读取（跳过的时刻用调整前的时差，重复的时刻取第一次）。带时差的导出可避免歧义"),
        ("newest day 2025-03-08, 634 day(s) before 2026-12-02",
         "最新数据日为 2025-03-08，比 2026-12-02 早 634 天"),
        ("40 expectations passed", "40 项期望全部通过"),
        ("no rows loaded since the last passing check (12 checked before)",
         "上次检查通过后没有新加载的行（此前已检查 12 行）"),
        ("expect_column_values_to_not_be_null order_id: e.g. ['', None]",
         "order_id 未通过 expect_column_values_to_not_be_null，例如 ['', None]"),
        ("something new", "something new"),  # a shape no rule knows stays as written
    ],
)  # fmt: skip
def test_messages_in_chinese(english: str, chinese: str) -> None:
    assert to_chinese(english) == chinese


@pytest.mark.parametrize("source", ["orders", "traffic", "ads", "inventory", "fx_rates"])
def test_a_missing_export_note_reads_as_its_chinese_twin(source: str) -> None:
    from pipelines.lib.canonical import missing_export_note

    assert to_chinese(missing_export_note(source)) == missing_export_note(source, "zh")
