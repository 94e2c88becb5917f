"""Quarantine reasons, file messages, load warnings and check results in Chinese, for the
dashboards.

The pipeline writes these messages in English (audit.quarantine.reason, audit.file_loads
.message, audit.load_warnings.message): one shape per rule, built in one place each. This
module is the one home of their Chinese wording: a pattern per shape. A message part no
pattern knows stays in English rather than being guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pipelines.lib.canonical import SPECS, missing_export_note

EXPECTED = {
    "a whole number": "整数",
    "a number": "数字",
    "an amount of money": "金额",
    "a date (YYYY-MM-DD)": "日期（YYYY-MM-DD）",
}


def _expected(text: str) -> str:
    if text.startswith("a date and time"):
        return "日期时间（ISO 8601，例如 2025-06-18 20:15:00+08:00）"
    return EXPECTED.get(text, text)


Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]

# whole messages first: some hold "; " inside a sentence (load warnings are one each)
WHOLE: list[Rule] = [
    (re.compile(r"^(\d+) row\(s\) have a (\w+) that the clock skipped or repeated in (\S+)"),
     lambda m: f"{m[1]} 行的 {m[2]} 落在 {m[3]} 夏令时调整时跳过或重复的时刻：按 Python zoneinfo "
               "的方式读取（跳过的时刻用调整前的时差，重复的时刻取第一次）。带时差的导出可避免歧义"),
    (re.compile(r"^duplicate (.+) in the same file; row (\d+) is kept$"),
     lambda m: f"同一文件中 {m[1]} 重复；保留第 {m[2]} 行"),
    # why a dbt build was full or incremental (pipelines/lib/incremental.py)
    (re.compile(r"^a full rebuild was asked for$"), lambda m: "按要求完整重建"),
    (re.compile(r"^the weekly full rebuild that checks the incremental builds$"),
     lambda m: "每周完整重建，用于核对增量构建"),
    (re.compile(r"^first build of this warehouse$"), lambda m: "该数据仓库的首次构建"),
    (re.compile(r"^the last build stopped before it finished$"),
     lambda m: "上次构建未完成，需要完整重建"),
    (re.compile(r"^the dbt models, the shop's settings or the dbt and DuckDB versions changed "
                r"since the last build$"),
     lambda m: "自上次构建后 dbt 模型、店铺设置或 dbt 与 DuckDB 的版本有变化"),
    (re.compile(r"^a products export arrived"),
     lambda m: "收到商品导出：单位成本和类目影响每一行订单"),
    (re.compile(r"^an exchange-rate export arrived"),
     lambda m: "收到汇率导出：汇率用于换算每一行订单的金额"),
    (re.compile(r"^the first (\w+) export arrived$"), lambda m: f"首次收到 {m[1]} 导出"),
    (re.compile(r"^no new rows since the last build$"), lambda m: "自上次构建后没有新数据行"),
    (re.compile(r"^new rows of (.+) since the last build$"),
     lambda m: f"自上次构建后 {m[1]} 有新数据行"),
    # check results on /data-health (pipelines/defs/checks.py)
    (re.compile(r"^No (\w+) export yet \(the build is fine without it\)"),
     lambda m: missing_export_note(m[1], "zh") if m[1] in SPECS else m[0]),
    (re.compile(r"^newest day (\S+), (\d+) day\(s\) before (\S+)$"),
     lambda m: f"最新数据日为 {m[1]}，比 {m[3]} 早 {m[2]} 天"),
    (re.compile(r"^(\d+) expectations passed$"), lambda m: f"{m[1]} 项期望全部通过"),
    (re.compile(r"^no rows loaded since the last passing check \((\d+) checked before\)$"),
     lambda m: f"上次检查通过后没有新加载的行（此前已检查 {m[1]} 行）"),
    (re.compile(r"^same bytes as load (\d+); nothing to load$"),
     lambda m: f"与第 {m[1]} 次加载的文件内容完全相同，无需再加载"),
    (re.compile(r"^(\d+) row\(s\) quarantined; first: (.+)$"),
     lambda m: f"{m[1]} 行已隔离；第一条：{to_chinese(m[2])}"),
    (re.compile(r"^missing required columns? (.+?) for source '(\w+)'(?:; it looks like a (\w+) "
                r"file: put it in inbox/(\w+)/)?$"),
     lambda m: f"缺少数据源 {m[2]} 的必需列 {m[1]}"
     + (f"；看起来是 {m[3]} 文件：请放入 inbox/{m[4]}/" if m[3] else "")),
    (re.compile(r"^not a format shopkpi knows \(columns: (.+)\)\. Closest: (.+) \(inbox/(\w+)/\), "
                r"which also needs the columns? (.+)\. docs/formats\.md lists every format and "
                r"how to export it$"),
    lambda m: f"不是 shopkpi 认识的格式（列：{m[1]}）。最接近的是 {m[2]}（inbox/{m[3]}/），它还需要"
              f"列 {m[4]}。docs/formats.md 列出了所有格式及导出方法"),
    (re.compile(r"^(\d+) order\(s\) have no usable buyer id"),
     lambda m: f"{m[1]} 个订单没有可用的买家 ID（被隐藏或缺失）：每单使用一个占位买家"
               "（anonymous:<订单号>），计入销售指标，不计入用户指标（新客、同期群、复购、RFM、获客成本）"),
    (re.compile(r"^the report names no buyer"),
     lambda m: "报表不含买家：每个订单使用一个占位买家，不计入用户指标"),
    (re.compile(r"^an order-level report"),
     lambda m: "订单级报表：每个订单一行、没有 SKU，因此没有商品成本，也不出现在库存和 SKU 预测中"),
    (re.compile(r"^a report of (\S+)\.\.(\S+) without a day column"),
     lambda m: f"{m[1]} 至 {m[2]} 的报表没有分日列：每个广告计划的合计已平摊到各天（转化同样处理）"),
    (re.compile(r"^(\d+) (.+) have more than 15 digits and end in zeros"),
     lambda m: f"{m[1]} 个{m[2]}超过 15 位且以 0 结尾：已被 Excel 截断为 15 位有效数字，不同订单可能"
               "共用一个 ID。请重新导出，放入前不要用 Excel 打开"),
    (re.compile(r"^(\d+) paid order\(s\) where 买家实际支付金额 is not 总金额 - 退款金额"),
     lambda m: f"{m[1]} 个已支付订单的 买家实际支付金额 不等于 总金额 - 退款金额：净销售额按 "
               "总金额 - 退款金额 计算"),
    (re.compile(r"^(\d+) row\(s\) where 商家实收金额 is not .+\(e\.g\. order (\S+)\)"),
     lambda m: f"{m[1]} 行的 商家实收金额 不等于 商品总价 + 邮费 - 店铺优惠折扣（例如订单 {m[2]}）："
               "收入按 商品总价 - 店铺优惠折扣 计算；请与后台核对"),
    (re.compile(r"^(\d+) shipped or received order\(s\) have no payment time"),
     lambda m: f"{m[1]} 个已发货或已收货的订单没有支付时间（订单成交时间为空）：日期取自订单号"
               "（YYMMDD-…），按 00:00 计"),
]  # fmt: skip

PARTS: list[Rule] = [
    (re.compile(r"^(\w+) is empty \(a value is required\)$"), lambda m: f"{m[1]} 为空（必填）"),
    (re.compile(r"^(\w+): '(.*)' is not a 3-letter ISO 4217 code$"),
     lambda m: f"{m[1]}：'{m[2]}' 不是 3 位 ISO 4217 币种代码"),
    (re.compile(r"^(\w+): '(.*)' is not one of (.+)$"),
     lambda m: f"{m[1]}：'{m[2]}' 不在允许的取值 {m[3]} 之中"),
    (re.compile(r"^(\w+): '(.*)' is not (a .+|an .+)$"),
     lambda m: f"{m[1]}：'{m[2]}' 不是{_expected(m[3])}"),
    (re.compile(r"^(\w+): '(.*)' is below (.+)$"), lambda m: f"{m[1]}：'{m[2]}' 小于 {m[3]}"),
    (re.compile(r"^(\w+): '(.*)' must be greater than 0$"),
     lambda m: f"{m[1]}：'{m[2]}' 必须大于 0"),
    (re.compile(r"^the row has (\d+) fields?, the header has (\d+)$"),
     lambda m: f"该行有 {m[1]} 个字段，表头有 {m[2]} 列"),
    (re.compile(r"^the file is empty$"), lambda m: "文件为空"),
    (re.compile(r"^the file has no header line \(the first line is empty\)$"),
     lambda m: "文件没有表头（第一行为空）"),
    (re.compile(r"^it looks like a (\w+) file(?: \((.+)\))?: put it in inbox/(\w+)/$"),
     lambda m: f"看起来是 {m[1]} 文件{f'（{m[2]}）' if m[2] else ''}：请放入 inbox/{m[3]}/"),
    (re.compile(r"^ignored columns: (.+)$"), lambda m: f"忽略的列：{m[1]}"),
    (re.compile(r"^(\d+) total row\(s\) skipped$"), lambda m: f"跳过 {m[1]} 行合计"),
    # a failed Great Expectations expectation: its name is GX's own, the column is ours
    (re.compile(r"^(expect_\w+) (\w*): e\.g\. (.+)$"),
     lambda m: f"{m[2]} 未通过 {m[1]}，例如 {m[3]}"),
]  # fmt: skip


def to_chinese(text: str | None) -> str | None:
    """The message in Chinese, part by part; a part no rule knows stays as written."""
    if not text:
        return text
    for pattern, render in WHOLE:
        match = pattern.match(text)
        if match:
            return render(match)
    parts = []
    for part in text.split("; "):
        for pattern, render in PARTS:
            match = pattern.match(part)
            if match:
                parts.append(render(match))
                break
        else:
            parts.append(part)
    return "；".join(parts)
