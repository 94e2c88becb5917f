"""What the Makefile targets call."""

import os

from pipelines import cli
from pipelines.lib.settings import Settings
from pipelines.lib.warehouse import connect, ensure_schemas


def test_demo_data_goes_only_into_a_home_that_never_loaded_files(home: Settings) -> None:
    with connect(home.warehouse) as con:  # an empty warehouse (e.g. left by a dbt compile)
        ensure_schemas(con)
    cli.demo_if_empty(home)
    assert any(home.inbox_for("orders").iterdir())
    for path in home.inbox.rglob("*.*"):
        path.unlink()
    with connect(home.warehouse) as con:  # a shop that has loaded its own exports
        con.execute(
            "insert into audit.file_loads (file_name, status) values ('mine.csv', 'loaded')"
        )
    cli.demo_if_empty(home)
    assert not any(p.is_file() for p in home.inbox.rglob("*"))


def test_a_build_uses_the_instance_opened_ahead_only_for_its_home_as_configured(
    home: Settings,
) -> None:
    cli.prepare(home)
    cli.open_ahead(home)
    ahead = cli._ahead["instance"][2]
    assert cli._ahead["job"].name == "daily_build"
    assert cli._instance(home) is ahead  # and only once: the build disposes of it
    assert "instance" not in cli._ahead
    ahead.dispose()

    cli.open_ahead(home)  # dagster.yaml edited since: opened again from the file
    config = home.dagster_home / "dagster.yaml"
    before = config.stat().st_mtime
    config.write_text(config.read_text() + "# edited\n")
    os.utime(config, (before + 10, before + 10))  # whatever the file system's clock grain
    stale = cli._ahead["instance"][2]
    with cli._instance(home) as instance:
        assert instance is not stale
    cli._ahead.clear()
