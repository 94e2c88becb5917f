{#- A grain test: no two rows share these columns (an empty one is allowed). -#}
{% test unique_combination_of_columns(model, columns) %}
{{ failing_keys(model, columns, empty_fails=false) }}
{% endtest %}
