{#- A per-customer model's pre-hook on an incremental build: remove the customers this
    build rewrites (int_changed_customers); the model then appends them computed again.
    A full build replaces the table and skips this. -#}
{% macro delete_changed_customers() -%}
    {% if is_incremental() %}
        delete from {{ this }}
        where exists (
            select 1 from {{ ref('int_changed_customers') }} as changed
            where
                changed.platform = {{ this }}.platform
                and changed.customer_id = {{ this }}.customer_id
        )
    {% endif %}
{%- endmacro %}

{#- The rows of `relation` (aliased as itself) whose customer this build rewrites, as a
    filter; nothing to filter on a full build. -#}
{% macro only_changed_customers(relation) -%}
    {% if is_incremental() %}
        exists (
            select 1 from {{ ref('int_changed_customers') }} as changed
            where
                changed.platform = {{ relation }}.platform
                and changed.customer_id = {{ relation }}.customer_id
        )
    {% else %}
        true
    {% endif %}
{%- endmacro %}
