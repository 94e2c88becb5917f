{#- A table's key: these columns name a row, so none of them is empty and no two rows
    share them. One test where a not_null per column and a uniqueness test would be two or
    more: each is a node dbt compiles and runs in every build (about 45 ms of its own
    work apiece, whatever the table's size). -#}
{% test primary_key(model, columns) %}
{{ failing_keys(model, columns, empty_fails=true) }}
{% endtest %}
