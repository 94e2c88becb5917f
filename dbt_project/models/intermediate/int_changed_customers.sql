-- The customers (platform + customer_id) whose orders this build rewrote, and the buyer an
-- order had before it was re-exported to another: int_customer_totals and
-- int_customer_months remove these and append them computed again from their orders
-- (customer_build_id), so a customer with no valid order left keeps no row. A view: only
-- an incremental build reads it.
{{ config(materialized='view') }}

with

orders as (

    select * from {{ ref('int_orders_summarised') }}
    where customer_build_id = '{{ invocation_id }}'

),

final as (

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

)

select * from final
