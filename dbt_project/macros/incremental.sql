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
