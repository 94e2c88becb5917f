"""Every page in a real browser (Debian's headless Chromium) on the built demo shop.

Screenshots go to $SHOPKPI_SCREENSHOTS when set (CI artefacts), else to the test's tmp dir.
Load times are printed, not asserted: `make bench-pages` measures them on the full demo.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.lib.settings import REPO_ROOT, Settings
from tests.e2e.browser import PAGES, launch, open_page, wait_for_app, wait_for_server
from tests.e2e.test_serve import free_port

playwright = pytest.importorskip("playwright.sync_api")

SHOWS = {
    "overview": ["运营总览", "净销售额", "订单数", "客单价", "支付转化率", "平台明细"],
    "marketing": ["营销ROI", "花费", "投产比", "期间广告活动", "下载广告ROI报表（CSV）"],
    "customers": ["用户复购", "90 天复购率", "RFM 用户分层"],
    "inventory": ["库存周转", "周转率", "库存周转天数", "按品类"],
    "logistics": ["物流", "单均运费", "准时率", "最常延误"],
    "forecast": ["预测", "与季节性朴素基准的准确度对比", "库存预警"],
    "data-health": ["数据健康", "最近一次构建", "各数据源新鲜度", "已加载"],
}


@pytest.fixture(scope="module")
def app_url(demo_build: Settings):
    port = free_port()
    env = {**os.environ, "SHOPKPI_HOME": str(demo_build.home)}
    server = subprocess.Popen(
        [sys.executable, "-m", "dashboards.server",  # as make run starts it
         "--server.port", str(port), "--server.headless", "true",
         "--server.address", "127.0.0.1"],
        cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(timeout=30)


def test_every_page_renders_in_chromium(app_url: str, tmp_path: Path) -> None:
    shots = Path(os.environ.get("SHOPKPI_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    with playwright.sync_playwright() as pw:
        browser = launch(pw)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        wait_for_server(page, f"{app_url}/_stcore/health")
        for name in PAGES:
            seconds = open_page(page, f"{app_url}/{name}")
            for expected in SHOWS[name]:
                # a download button is drawn a moment after the script's run is done
                main = page.locator("[data-testid='stMain']")
                playwright.expect(main).to_contain_text(expected, timeout=10_000)
            assert page.locator("[data-testid='stException']").count() == 0, name
            assert page.locator("[data-testid='stAlertContentError']").count() == 0, name
            page.wait_for_timeout(1000)  # let the charts draw for the picture
            page.screenshot(path=str(shots / f"{name}.png"))
            print(f"/{name}: drawn in {seconds:.2f} s")

        # the language switch relabels everything; the data itself stays as it is
        open_page(page, f"{app_url}/overview")
        page.get_by_text("English", exact=True).click()
        page.wait_for_selector("h1:has-text('Overview')")
        # the title changes first; the cards follow as the page finishes its rerun
        page.get_by_text("Revenue per buyer (客单价)").first.wait_for(timeout=30_000)
        wait_for_app(page)
        text = page.inner_text("[data-testid='stMain']")
        assert "Net revenue" in text and "Revenue per buyer (客单价)" in text
        assert "tmall" in text  # platform names are data: never translated
        page.screenshot(path=str(shots / "overview-en.png"))
        browser.close()
    assert sorted(p.name for p in shots.glob("*.png")) == sorted(
        [f"{name}.png" for name in PAGES] + ["overview-en.png"]
    )
