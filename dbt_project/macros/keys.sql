{#- The keys of `model` that break its grain, each with how many rows share it: keys shared
    by two rows or more, and with `empty_fails` keys with an empty column too. The query of
    both key tests (tests/generic): a failing row is a key. -#}
{% macro failing_keys(model, columns, empty_fails) -%}
select
    {{ columns | join(', ') }},
    count(*) as rows_with_this_key
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
    {%- if empty_fails %}
    {%- for column in columns %}
    or {{ column }} is null
    {%- endfor %}
    {%- endif %}
{%- endmacro %}
