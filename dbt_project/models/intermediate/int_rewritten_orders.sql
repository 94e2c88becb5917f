-- The orders whose lines or shipments this build rewrote: int_orders_summarised computes
-- them, and every order of their customers, again. Lines name the order's platform and
-- buyer; a shipment names only its order (and the order it belonged to before a re-export).
-- Only an incremental build reads it: empty on a full one.
-- A table, not CTEs of int_orders_summarised: DuckDB knows its row count. Of
-- `build_id = '<this build>'` it knows only that the column has few values and guesses
-- half the table, and so built int_orders_summarised's hash joins on its millions of
-- orders and shipments instead of on these few thousand.
{{ config(materialized='table') }}

with

rewritten_lines as (

    select distinct
        platform,
        order_id,
        customer_id
    from {{ ref('int_order_lines_converted') }}
    where build_id = '{{ invocation_id }}'

),

shipments as (

    select * from {{ ref('int_shipments_converted') }}
    where build_id = '{{ invocation_id }}'

),

reshipped as (

    select order_id from shipments
    union
    select previous_order_id from shipments
    where previous_order_id is not null

),

final as (

    select
        'lines' as rewritten,
        platform,
        order_id,
        customer_id
    from rewritten_lines
    union all
    select
        'shipments' as rewritten,
        cast(null as varchar) as platform,
        order_id,
        cast(null as varchar) as customer_id
    from reshipped

)

select * from final
{% if flags.FULL_REFRESH %}
    where false
{% endif %}
