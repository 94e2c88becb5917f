{#- A daily model's pre-hook on an incremental build: remove the days this build rewrites
    (int_changed_days), so a day that no longer has any rows keeps none. The model then
    appends those days computed again. A full build replaces the table and skips this. -#}
{% macro delete_changed_days(day_column) -%}
    {% if is_incremental() %}
        delete from {{ this }}
        where {{ adapter.quote(day_column) }} in (
            select changed_date from {{ ref('int_changed_days') }}
            where for_model = '{{ this.identifier }}'
        )
    {% endif %}
{%- endmacro %}

{#- The days of `for_model` this build rewrites, as a filter on `day_column`; nothing to
    filter on a full build. -#}
{% macro only_changed_days(day_column) -%}
    {% if is_incremental() %}
        {{ day_column }} in (
            select changed_date from {{ ref('int_changed_days') }}
            where for_model = '{{ this.identifier }}'
        )
    {% else %}
        true
    {% endif %}
{%- endmacro %}

{#- The rows of loads since this model's last build, as a filter: `load_id > <constant>`.
    The constant is read when the model compiles: DuckDB then skips the older row groups
    by their min/max (against a `(select max(load_id) ...)` subquery it read and converted
    every row: ten million order lines, 1.4 s against 9 s). -#}
{% macro loads_since_last_build(load_column='load_id') -%}
    {{ load_column }} > {{ last_load_id(this) }}
{%- endmacro %}

{#- The largest load_id in `relation`, -1 when it has none (0 when not executing: dbt
    parses the model before it runs it). -#}
{% macro last_load_id(relation) -%}
    {%- if execute -%}
        {%- set result = run_query('select coalesce(max(load_id), -1) from ' ~ relation) -%}
        {{- result.columns[0].values()[0] -}}
    {%- else -%}
        -1
    {%- endif -%}
{%- endmacro %}
