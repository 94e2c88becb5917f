{#- Whether `relation` (a model, source or CTE) has a row, as a boolean expression: its
    first row is enough (a count read ten million order lines: 0.4 s). -#}
{% macro has_rows(relation) -%}
    (select count(*) from (select 1 from {{ relation }} limit 1) as first_row) > 0
{%- endmacro %}

{#- Put between a CTE's name and its body (`name as {{ not_materialized() }} (`) when the
    CTE reads a large model and is read more than once: DuckDB otherwise writes every row
    it reads aside first (int_rfm_bounds: 4.4 million customers at ten million order
    lines), where reading the model again reads only the columns each use needs. Nothing
    on engines without the clause. -#}
{% macro not_materialized() -%}
    {{ return(adapter.dispatch('not_materialized', 'shopkpi')()) }}
{%- endmacro %}

{% macro default__not_materialized() -%}{%- endmacro %}

{% macro duckdb__not_materialized() -%}not materialized{%- endmacro %}
