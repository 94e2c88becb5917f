{#- Whether `relation` (a model, source or CTE) has a row, as a boolean expression: its
    first row is enough (a count read ten million order lines: 0.4 s). -#}
{% macro has_rows(relation) -%}
    (select count(*) from (select 1 from {{ relation }} limit 1) as first_row) > 0
{%- endmacro %}
