{#- Money in the reporting currency: exact decimals, so the same inputs sum to the same KPIs. -#}
{% macro to_reporting(amount, rate) -%}
    cast(round({{ amount }} * {{ rate }}, 4) as decimal(18, 4))
{%- endmacro %}

{#- A ratio is NULL, never 0 or an error, when its denominator is 0. -#}
{% macro safe_ratio(numerator, denominator) -%}
    cast({{ numerator }} as double) / nullif(cast({{ denominator }} as double), 0)
{%- endmacro %}
