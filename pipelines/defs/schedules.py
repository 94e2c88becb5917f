import dagster as dg

from pipelines.defs.jobs import daily_build, forecast_weekly, full_rebuild_weekly
from pipelines.lib.settings import Settings

# 06:00 shop time, before the morning meeting. Dagster needs the zone when the schedule is
# defined, so this is the one setting read while the definitions load.
daily_schedule = dg.ScheduleDefinition(
    name="daily_build_0600",
    job=daily_build,
    cron_schedule="0 6 * * *",
    execution_timezone=Settings.from_env().timezone,
    default_status=dg.DefaultScheduleStatus.RUNNING,
)

# Mondays 05:00, before that day's build: the models are chosen again on the latest weeks
forecast_weekly_schedule = dg.ScheduleDefinition(
    name="forecast_weekly_monday_0500",
    job=forecast_weekly,
    cron_schedule="0 5 * * 1",
    execution_timezone=Settings.from_env().timezone,
    default_status=dg.DefaultScheduleStatus.RUNNING,
)

# Sundays 04:00, a quiet hour: the full rebuild that checks the week's incremental builds
full_rebuild_weekly_schedule = dg.ScheduleDefinition(
    name="full_rebuild_weekly_sunday_0400",
    job=full_rebuild_weekly,
    cron_schedule="0 4 * * 0",
    execution_timezone=Settings.from_env().timezone,
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
