-- Shipments with their cost in the reporting currency at the rate of the ship day.
-- Incremental: a build rewrites the shipments loads since the last build added or
-- re-exported.
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='shipment_id',
        on_schema_change='fail',
    )
}}

with

shipments as (

    select * from {{ ref('stg_shop__shipments') }}
    {% if is_incremental() %}
        where {{ loads_since_last_build() }}
    {% endif %}

),

fx as (

    select * from {{ ref('int_fx_rates_daily') }}

),

converted as (

    select
        shipments.shipment_id,
        shipments.order_id,
        shipments.carrier,
        shipments.warehouse,
        shipments.direction,
        shipments.shipped_at,
        shipments.promised_at,
        shipments.delivered_at,
        shipments.ship_date,
        shipments.region,
        shipments.weight_kg,
        shipments.currency,
        fx.rate as fx_rate,
        {{ to_reporting('shipments.cost', 'fx.rate') }} as cost,
        shipments.load_id,
        -- which build wrote the row, and the order and day it belonged to before: that
        -- order's shipping cost is summed again (int_orders_summarised), that day's month
        -- of logistics_performance computed again (int_changed_days)
        '{{ invocation_id }}' as build_id,
        {% if is_incremental() %}
            previous.order_id as previous_order_id,
            previous.ship_date as previous_ship_date
        {% else %}
            cast(null as varchar) as previous_order_id,
            cast(null as date) as previous_ship_date
        {% endif %}
    from shipments
    left join fx
        on
            shipments.ship_date = fx.rate_date
            and shipments.currency = fx.currency
    {% if is_incremental() %}
        left join {{ this }} as previous
            on shipments.shipment_id = previous.shipment_id
    {% endif %}

)

select * from converted
