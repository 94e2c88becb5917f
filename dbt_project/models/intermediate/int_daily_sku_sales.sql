-- Units, net revenue and cogs of valid order lines per local paid day, platform and SKU: the
-- history the forecasts learn from (days without sales are added there, as zeros) and the
-- sales inventory_turnover counts.
-- Incremental: a build computes again, whole, each day it changed (int_changed_days).
-- depends_on: {{ ref('int_changed_days') }}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_changed_days('sales_date') }}",
        on_schema_change='fail',
    )
}}

with

order_lines as (

    select * from {{ ref('int_order_lines_converted') }}
    where {{ only_changed_days('paid_date') }}

),

final as (

    select
        paid_date as sales_date,
        platform,
        sku,
        max(category) as category,
        {{ stored_count('sum(quantity)') }} as units,
        {{ stored_money('sum(net_revenue)') }} as net_revenue,
        -- unknown when the products export gives no unit cost for the SKU (inventory_turnover)
        {{ stored_money('case when bool_and(has_unit_cost) then sum(cogs) end') }} as cogs
    from order_lines
    where is_valid
    group by paid_date, platform, sku

)

select * from final
