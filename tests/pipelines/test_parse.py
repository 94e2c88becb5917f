import datetime as dt

import polars as pl
import pytest

from pipelines.lib.canonical import SPECS
from pipelines.lib.parse import parse_rows, split_duplicate_keys
from pipelines.lib.readers import FileRejected

ORDER_COLUMNS = [
    "order_id", "platform", "customer_id", "order_ts", "paid_ts", "status", "sku",
    "quantity", "unit_price", "discount", "currency",
]  # fmt: skip


def orders(*rows: dict) -> pl.DataFrame:
    base = {
        "order_id": "A1", "platform": "tmall", "customer_id": "c1",
        "order_ts": "2025-03-01 10:00:00", "paid_ts": "2025-03-01 10:01:00",
        "status": "paid", "sku": "S1", "quantity": "1", "unit_price": "10",
        "discount": "0", "currency": "CNY",
    }  # fmt: skip
    return pl.DataFrame(
        [{**base, **row} for row in rows], schema={c: pl.String for c in ORDER_COLUMNS}
    )


TIMESTAMP_CASES = [
    ("2025-03-01 00:10:00", dt.datetime(2025, 2, 28, 16, 10)),  # naive = Shanghai time
    ("2025-03-01T00:10:00", dt.datetime(2025, 2, 28, 16, 10)),
    ("2025-03-01 00:10:00.5", dt.datetime(2025, 2, 28, 16, 10, 0, 500_000)),  # after whole seconds
    ("2025/3/1 0:10", dt.datetime(2025, 2, 28, 16, 10)),
    ("2025-02-28 18:00:00 -0800", dt.datetime(2025, 3, 1, 2, 0)),
    ("2025-02-28T18:00:00-08:00", dt.datetime(2025, 3, 1, 2, 0)),
    ("2025-03-01T02:00:00Z", dt.datetime(2025, 3, 1, 2, 0)),
    ("2025-03-01 10:00:00.250+08:00", dt.datetime(2025, 3, 1, 2, 0, 0, 250_000)),
]


@pytest.mark.parametrize(("text", "utc"), TIMESTAMP_CASES)
def test_timestamps_become_utc(text: str, utc: dt.datetime) -> None:
    parsed = parse_rows(orders({"paid_ts": text}), SPECS["orders"], "Asia/Shanghai")
    assert parsed.bad.is_empty()
    assert parsed.good["paid_ts"][0] == utc


def test_a_column_mixing_formats_reads_each_row_as_it_would_alone() -> None:
    # one file in one format takes a single pass; a mixed column goes format by format
    texts = [text for text, _ in TIMESTAMP_CASES] + ["yesterday"]
    frame = orders(*({"paid_ts": t, "order_id": f"A{i}"} for i, t in enumerate(texts)))
    parsed = parse_rows(frame, SPECS["orders"], "Asia/Shanghai")
    assert parsed.good["paid_ts"].to_list() == [utc for _, utc in TIMESTAMP_CASES]
    assert parsed.bad["_row_number"].to_list() == [len(texts)]
    assert parsed.bad["_reason"][0].startswith("paid_ts: 'yesterday' is not a date and time")


def test_naive_timestamps_follow_the_shop_timezone_setting() -> None:
    parsed = parse_rows(
        orders({"paid_ts": "2025-07-01 12:00:00"}), SPECS["orders"], "America/New_York"
    )
    assert parsed.good["paid_ts"][0] == dt.datetime(2025, 7, 1, 16, 0)


@pytest.mark.parametrize(
    ("text", "value"),
    [("¥1,234.50", 1234.5), ("1,234.50元", 1234.5), ("$12.00", 12.0), (" 7 ", 7.0), ("￥99", 99.0)],
)
def test_money_as_people_write_it(text: str, value: float) -> None:
    parsed = parse_rows(orders({"unit_price": text}), SPECS["orders"], "Asia/Shanghai")
    assert parsed.good["unit_price"][0] == pytest.approx(value)


def test_empty_paid_ts_means_never_paid_and_empty_discount_is_zero() -> None:
    parsed = parse_rows(orders({"paid_ts": "", "discount": ""}), SPECS["orders"], "Asia/Shanghai")
    assert parsed.good["paid_ts"][0] is None
    assert parsed.good["discount"][0] == 0


def test_bad_rows_are_kept_with_a_reason_naming_column_and_value() -> None:
    frame = orders(
        {},
        {"order_id": "A2", "quantity": "two"},
        {"order_id": "A3", "status": "shipped-ish", "currency": "yuan"},
        {"order_id": "A4", "order_ts": "yesterday"},
        {"order_id": "A5", "unit_price": "-3"},
        {"order_id": None},
    )
    parsed = parse_rows(frame, SPECS["orders"], "Asia/Shanghai")
    assert parsed.good["order_id"].to_list() == ["A1"]
    reasons = dict(zip(parsed.bad["_row_number"], parsed.bad["_reason"], strict=True))
    assert reasons[2] == "quantity: 'two' is not a whole number"
    assert "status: 'shipped-ish' is not one of pending, paid" in reasons[3]
    assert "currency: 'yuan' is not a 3-letter ISO 4217 code" in reasons[3]
    assert reasons[4].startswith("order_ts: 'yesterday' is not a date and time")
    assert reasons[5] == "unit_price: '-3' is below 0"
    assert reasons[6] == "order_id is empty (a value is required)"
    assert '"order_id":"A2"' in parsed.bad.filter(pl.col("_row_number") == 2)["record"][0]
    assert parsed.good.height + parsed.bad.height == frame.height


def test_missing_required_column_rejects_the_file_naming_it() -> None:
    with pytest.raises(FileRejected, match="missing required column sku for source 'orders'"):
        parse_rows(orders({}).drop("sku"), SPECS["orders"], "Asia/Shanghai")


def test_a_file_of_another_source_is_called_out() -> None:
    traffic = pl.DataFrame(
        {"date": ["2025-03-01"], "platform": ["jd"], "channel": ["x"], "sessions": ["3"]}
    )
    with pytest.raises(FileRejected, match="looks like a traffic file: put it in inbox/traffic/"):
        parse_rows(traffic, SPECS["orders"], "Asia/Shanghai")


def test_headers_match_case_insensitively_and_extra_columns_are_reported() -> None:
    frame = orders({}).rename({"order_id": "Order_ID"}).with_columns(pl.lit("x").alias("note"))
    parsed = parse_rows(frame, SPECS["orders"], "Asia/Shanghai")
    assert parsed.good["order_id"].to_list() == ["A1"]
    assert parsed.ignored_columns == ["note"]


def test_within_a_file_the_last_row_of_a_key_wins() -> None:
    frame = orders({"status": "paid"}, {"order_id": "B"}, {"status": "delivered"})
    parsed = split_duplicate_keys(
        parse_rows(frame, SPECS["orders"], "Asia/Shanghai"), SPECS["orders"]
    )
    assert parsed.good.sort("_row_number")["status"].to_list() == ["paid", "delivered"]
    assert parsed.bad["_reason"].to_list() == [
        "duplicate platform + order_id + line_id in the same file; row 3 is kept"
    ]


@pytest.mark.parametrize(
    ("zone", "text"),
    [
        ("America/Los_Angeles", "2025-03-09 02:30:00"),  # spring forward: 02:00 -> 03:00
        ("America/Los_Angeles", "2025-11-02 01:30:00"),  # fall back: 01:30 happens twice
        ("America/Sao_Paulo", "2018-11-04 00:30:00"),  # Brazil's last spring-forward gap
        ("America/Sao_Paulo", "2019-02-16 23:30:00"),  # and its last repeated hour
        ("Europe/Berlin", "2025-03-30 02:15:00"),
        ("Asia/Kolkata", "2025-03-09 02:30:00"),  # no clock change: an ordinary time
    ],
)
def test_local_times_a_clock_change_skips_or_repeats_load_as_zoneinfo_reads_them(
    zone: str, text: str
) -> None:
    from zoneinfo import ZoneInfo

    parsed = parse_rows(orders({"paid_ts": text}), SPECS["orders"], zone)
    assert parsed.bad.is_empty()
    expected = (
        dt.datetime.fromisoformat(text)
        .replace(tzinfo=ZoneInfo(zone))
        .astimezone(dt.UTC)
        .replace(tzinfo=None)
    )
    assert parsed.good["paid_ts"].to_list() == [expected]
    # the clock-change rows are counted for a load warning; an ordinary time is not
    assert parsed.dst_rows == ({} if zone == "Asia/Kolkata" else {"paid_ts": 1})


def test_a_promised_date_without_a_time_means_the_end_of_that_local_day() -> None:
    frame = pl.DataFrame(
        {"shipment_id": ["s1", "s2"], "order_id": ["o1", "o2"], "carrier": ["c", "c"],
         "direction": ["outbound", "outbound"], "ship_ts": ["2025-03-01 10:00"] * 2,
         "promised_ts": ["2025-03-05", "2025-03-05 12:00"], "cost": ["1", "1"],
         "currency": ["BRL", "BRL"]}
    )  # fmt: skip
    parsed = parse_rows(frame, SPECS["logistics"], "America/Sao_Paulo")
    assert parsed.good["promised_ts"].to_list() == [
        dt.datetime(2025, 3, 6, 2, 59, 59, 999_999),  # 23:59:59.999999 at UTC-3
        dt.datetime(2025, 3, 5, 15, 0),  # a time given stays that time
    ]
