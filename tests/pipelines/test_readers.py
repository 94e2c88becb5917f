import io

import polars as pl
import pytest

from pipelines.lib.readers import FileRejected, detect_delimiter, detect_encoding, read_export

CSV = "order_id,platform,金额\nA1,tmall,￥1234.50\n"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (CSV.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + CSV.encode("utf-8"), "utf-8-sig"),
        (CSV.encode("gbk"), "gb18030"),
        (CSV.encode("utf-16"), "utf-16-le"),
    ],
)
def test_detect_encoding(data: bytes, expected: str) -> None:
    assert detect_encoding(data) == expected


def test_undecodable_bytes_are_rejected_with_the_offset() -> None:
    with pytest.raises(FileRejected, match="byte 2 is neither UTF-8 nor GBK"):
        detect_encoding(b"ab\xff\xff\xff")


@pytest.mark.parametrize(
    ("header", "expected"),
    [("a,b,c", ","), ("a\tb\tc", "\t"), ("a;b;c", ";"), ("single", ",")],
)
def test_detect_delimiter(header: str, expected: str) -> None:
    assert detect_delimiter(header) == expected


def test_gbk_csv_reads_chinese_headers_and_values(tmp_path) -> None:
    path = tmp_path / "traffic.csv"
    path.write_bytes("日期,渠道\n2025-03-01,手淘搜索\n".encode("gbk"))
    result = read_export(path)
    assert result.encoding == "gb18030"
    assert result.frame.columns == ["日期", "渠道"]
    assert result.frame.row(0) == ("2025-03-01", "手淘搜索")


def test_utf8_bom_and_header_spaces_are_cleaned(tmp_path) -> None:
    path = tmp_path / "orders.csv"
    path.write_bytes(b"\xef\xbb\xbf order_id ,sku\nA1,S1\n")
    result = read_export(path)
    assert result.frame.columns == ["order_id", "sku"]
    assert result.encoding == "utf-8 with BOM"


def test_every_cell_is_text_and_empty_is_null(tmp_path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("order_id,quantity\n0012,3\n0013,\n", encoding="utf-8")
    frame = read_export(path).frame
    assert frame.schema == pl.Schema({"order_id": pl.String, "quantity": pl.String})
    assert frame["order_id"].to_list() == ["0012", "0013"]  # leading zeros kept
    assert frame["quantity"].to_list() == ["3", None]


def test_xlsx_ids_and_counts_read_without_float_noise(tmp_path) -> None:
    path = tmp_path / "products.xlsx"
    pl.DataFrame({"sku": [1001, 1002], "unit_cost": [12.5, 8.0]}).write_excel(path)
    result = read_export(path)
    assert result.format == "xlsx"
    assert result.frame["sku"].to_list() == ["1001", "1002"]
    assert result.frame["unit_cost"].to_list() == ["12.5", "8"]


def test_parquet_dates_and_timestamps_become_iso_text(tmp_path) -> None:
    import datetime as dt

    path = tmp_path / "stock.parquet"
    pl.DataFrame(
        {
            "snapshot_date": [dt.date(2025, 3, 1)],
            "at": [dt.datetime(2025, 3, 1, 8, 30)],
            "qty": [5],
        }
    ).write_parquet(path)
    frame = read_export(path).frame
    assert frame.row(0) == ("2025-03-01", "2025-03-01T08:30:00", "5")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"   \n\n", "the file is empty"),
        (b"\n\norder_id\nA\n", "no header line"),
        (b"a,a\n1,2\n", "names these columns twice: a"),
        (b"\x00\x01\x02binary", "unsupported format"),
    ],
)
def test_unusable_files_are_rejected_with_a_reason(tmp_path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(FileRejected, match=message):
        read_export(path)


def test_reading_from_bytes_matches_reading_from_file(tmp_path) -> None:
    path = tmp_path / "x.csv"
    path.write_text(CSV, encoding="utf-8")
    from_file = read_export(path).frame
    from_bytes = pl.read_csv(io.BytesIO(CSV.encode()), infer_schema=False)
    assert from_file.equals(from_bytes)
