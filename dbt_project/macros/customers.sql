{#- A per-customer model's pre-hook on an incremental build: remove the customers this
    build rewrites (int_changed_customers); the model then appends them computed again.
    A full build replaces the table and skips this. -#}
{% macro delete_changed_customers() -%}
    {% if is_incremental() %}
        delete from {{ this }}
        where (platform, customer_id) in (
            select platform, customer_id from {{ ref('int_changed_customers') }}
        )
    {% endif %}
{%- endmacro %}

{#- The orders of the customers this build rewrites, as a filter on int_orders_summarised
    or a model of its rows: all of each customer's orders (int_orders_summarised rewrites
    them together); nothing to filter on a full build. -#}
{% macro only_changed_customers() -%}
    {% if is_incremental() %}
        customer_build_id = '{{ invocation_id }}'
    {% else %}
        true
    {% endif %}
{%- endmacro %}
