"""What the Makefile targets call."""

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
