{#- Raw timestamps are UTC; KPIs count local days in the shop's timezone (var timezone). -#}
{% macro local_timestamp(column) -%}
    {{ return(adapter.dispatch('local_timestamp', 'shopkpi')(column)) }}
{%- endmacro %}

{% macro default__local_timestamp(column) -%}
    from_utc_timestamp({{ column }}, '{{ var("timezone") }}')
{%- endmacro %}

{% macro duckdb__local_timestamp(column) -%}
    timezone('{{ var("timezone") }}', {{ column }} at time zone 'UTC')
{%- endmacro %}

{% macro local_date(column) -%}
    cast({{ local_timestamp(column) }} as date)
{%- endmacro %}

{#- One row per day from first_day to last_day (columns of `relation`), as `day_column`. -#}
{% macro days_between(first_day, last_day, relation, day_column) -%}
    {{ return(adapter.dispatch('days_between', 'shopkpi')(first_day, last_day, relation, day_column)) }}
{%- endmacro %}

{% macro default__days_between(first_day, last_day, relation, day_column) -%}
    select explode(sequence({{ first_day }}, {{ last_day }}, interval 1 day)) as {{ day_column }}
    from {{ relation }}
{%- endmacro %}

{% macro duckdb__days_between(first_day, last_day, relation, day_column) -%}
    select cast(unnest(generate_series(
        cast({{ first_day }} as timestamp), cast({{ last_day }} as timestamp), interval 1 day
    )) as date) as {{ day_column }}
    from {{ relation }}
{%- endmacro %}

{#- The first day of the month of a date, as a DATE. -#}
{% macro month_start(column) -%}
    cast({{ dbt.date_trunc('month', column) }} as date)
{%- endmacro %}
