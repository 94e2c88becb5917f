{#- An incremental build tests what it touched. A data test whose `where` config uses one
    of these placeholders tests, on an incremental build, the rows that `where` selects;
    on a full build (--full-refresh: the first, the asked-for and the weekly ones) the
    whole table, as every other test always does.

    __relation__        the tested model
    __this_build__      this build's id, as incremental models stamp their rows (build_id)
    __last_built_load__ the last load the previous finished build read (staging load_id)
    __changed_days__    the days this build rewrote of the tested daily model, as a query
                        (int_changed_days, beside it)

    e.g. where: "(platform, order_id) in (select platform, order_id from __relation__
    where customer_build_id = __this_build__)": each key this build wrote is unique in the
    whole table. dbt's own hook for a dynamic `where` (get_where_subquery). -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') or '' -%}
    {%- set placeholders = [
        '__relation__', '__this_build__', '__last_built_load__', '__changed_days__'
    ] -%}
    {%- set on_touched_rows = placeholders | select('in', where) | list | length > 0 -%}
    {%- if on_touched_rows and flags.FULL_REFRESH -%}
        {%- do return(relation) -%}
    {%- elif where -%}
        {%- set changed_days -%}
            select changed_date from {{ relation.database }}.{{ relation.schema }}.int_changed_days
            where for_model = '{{ relation.identifier }}'
        {%- endset -%}
        {%- set where = where
            | replace('__relation__', relation | string)
            | replace('__this_build__', "'" ~ invocation_id ~ "'")
            | replace('__changed_days__', changed_days) -%}
        {%- if '__last_built_load__' in where -%}
            {#- a constant: DuckDB skips the older row groups (a subquery reads them all) -#}
            {%- set where = where | replace('__last_built_load__', value_of(
                'select max(through_load_id) from audit.transform_builds where succeeded'
            ) | string) -%}
        {%- endif -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
