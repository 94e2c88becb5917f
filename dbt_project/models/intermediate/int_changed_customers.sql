-- The customers (platform + customer_id) whose orders this build rewrote, and the buyer an
-- order had before it was re-exported to another: int_customer_totals and
-- int_customer_months remove these and append them computed again from their orders
-- (customer_build_id), so a customer with no valid order left keeps no row. Only an
-- incremental build reads it: empty on a full one.
-- A table, not a view, for the row count DuckDB then knows (int_rewritten_orders says
-- why): the deletes' hash join is built on these few thousand customers, not on the whole
-- int_customer_months (ten million order lines: 0.3 s against 0.9 s a delete).
{{ config(materialized='table') }}

with

orders as (

    select * from {{ ref('int_orders_summarised') }}
    where customer_build_id = '{{ invocation_id }}'

),

changed as (

    select
        platform,
        customer_id
    from orders
    union
    select
        platform,
        previous_customer_id as customer_id
    from orders
    where previous_customer_id is not null

),

final as (

    select
        platform,
        customer_id,
        -- the customer_build_id of the rows the per-customer models rewrote for them: the
        -- publish finds those rows by it (pipelines/lib/publish.py)
        '{{ invocation_id }}' as build_id
    from changed

)

select * from final
{% if flags.FULL_REFRESH %}
    where false
{% endif %}
