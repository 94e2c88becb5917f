-- The orders customer KPIs count: valid orders of buyers the export names. Placeholder
-- buyers (masked in the export) count in sales KPIs, never as customers.
-- a view: a filtered copy of millions of orders would be written again on every build
{{ config(materialized='view') }}

with

orders as (

    select * from {{ ref('int_orders_summarised') }}

),

final as (

    -- every column of int_orders_summarised: this model only chooses rows
    select * from orders  -- noqa: AM04
    where is_valid and not is_placeholder_customer

)

select * from final  -- noqa: AM04
