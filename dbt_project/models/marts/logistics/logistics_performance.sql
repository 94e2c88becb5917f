-- Delivery cost and service per ship month, carrier and region (kpis.md,
-- logistics_performance). Each shipment counts in the month of its own local ship day;
-- revenue and returns are those of the orders shipped out in the group.
-- Incremental: a build computes again, whole, each month it changed (int_changed_days:
-- shipments it rewrote, and the months its rewritten orders were shipped out in).
-- depends_on: {{ ref('int_changed_days') }}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_changed_days('month') }}",
        on_schema_change='fail',
    )
}}

with

shipments as (

    select * from {{ ref('int_shipments_converted') }}

),

orders as (

    select * from {{ ref('int_orders_summarised') }}

),

grouped as (

    select
        *,
        {{ month_start('ship_date') }} as ship_month,
        direction = 'outbound' as is_outbound
    from shipments
    where {{ only_changed_days(month_start('ship_date'), month_of='ship_date') }}

),

returned_orders as (

    -- every return, whatever month it came back in; read from the model itself, not the
    -- shipments CTE, so that DuckDB does not materialise all shipments for two readers
    select distinct order_id
    from {{ ref('int_shipments_converted') }}
    where direction = 'return'

),

per_group as (

    select
        ship_month,
        carrier,
        region,
        sum(case when is_outbound then 1 else 0 end) as shipments,
        sum(cost) as shipping_cost,
        sum(
            case
                when is_outbound and delivered_at is not null and promised_at is not null
                    then case when delivered_at <= promised_at then 1 else 0 end
            end
        ) as on_time_shipments,
        sum(
            case
                when is_outbound and delivered_at is not null and promised_at is not null
                    then 1
                else 0
            end
        ) as shipments_with_promise,
        sum(case when is_outbound and delivered_at is not null then 1 else 0 end)
            as delivered_shipments,
        -- whole seconds summed exactly, divided once (below): a mean of per-row doubles
        -- depends on the order threads add them in, and changed its last digits run to run
        sum(
            case
                when is_outbound and delivered_at is not null
                    then {{ dbt.datediff('shipped_at', 'delivered_at', 'second') }}
            end
        ) as delivery_seconds
    from grouped
    group by ship_month, carrier, region

),

outbound_orders as (

    select distinct
        ship_month,
        carrier,
        region,
        order_id
    from grouped
    where is_outbound

),

per_group_orders as (

    select
        outbound_orders.ship_month,
        outbound_orders.carrier,
        outbound_orders.region,
        count(*) as orders_shipped,
        sum(coalesce(orders.net_revenue, 0)) as net_revenue,
        count(returned_orders.order_id) as orders_returned
    from outbound_orders
    left join orders
        on outbound_orders.order_id = orders.order_id
    left join returned_orders
        on outbound_orders.order_id = returned_orders.order_id
    group by outbound_orders.ship_month, outbound_orders.carrier, outbound_orders.region

),

final as (

    select
        per_group.ship_month as "month",
        per_group.carrier,
        per_group.region,
        per_group.shipments,
        coalesce(per_group_orders.orders_shipped, 0) as orders_shipped,
        per_group.shipping_cost,
        {{ safe_ratio('per_group.shipping_cost', 'per_group_orders.orders_shipped') }}
            as cost_per_order,
        coalesce(per_group_orders.net_revenue, 0) as net_revenue,
        {{ safe_ratio('per_group.shipping_cost', 'per_group_orders.net_revenue') }}
            as cost_to_revenue,
        coalesce(per_group.on_time_shipments, 0) as on_time_shipments,
        per_group.shipments_with_promise,
        {{ safe_ratio('per_group.on_time_shipments', 'per_group.shipments_with_promise') }}
            as on_time_rate,
        per_group.delivered_shipments,
        {{ safe_ratio('per_group.delivery_seconds', 'per_group.delivered_shipments') }} / 86400.0
            as avg_delivery_days,
        coalesce(per_group_orders.orders_returned, 0) as orders_returned,
        {{ safe_ratio('per_group_orders.orders_returned', 'per_group_orders.orders_shipped') }}
            as return_rate
    from per_group
    left join per_group_orders
        on
            per_group.ship_month = per_group_orders.ship_month
            and per_group.carrier = per_group_orders.carrier
            and per_group.region is not distinct from per_group_orders.region

)

select * from final
order by "month", carrier, region
