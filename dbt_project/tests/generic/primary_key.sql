{#- A table's key: these columns name a row, so none of them is empty and no two rows
    share them. One test where a not_null per column and a uniqueness test would be two or
    more: each is a node dbt compiles and runs in every build (about 45 ms of its own
    work apiece, whatever the table's size). A failing row is a key: empty in one of its
    columns, or shared by rows_with_this_key rows. -#}
{% test primary_key(model, columns) %}

select
    {{ columns | join(', ') }},
    count(*) as rows_with_this_key
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
    {%- for column in columns %}
    or {{ column }} is null
    {%- endfor %}

{% endtest %}
