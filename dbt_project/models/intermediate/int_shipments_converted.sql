-- Shipments with their cost in the reporting currency at the rate of the ship day.
with

shipments as (

    select * from {{ ref('stg_shop__shipments') }}

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
        {{ to_reporting('shipments.cost', 'fx.rate') }} as cost
    from shipments
    left join fx
        on
            shipments.ship_date = fx.rate_date
            and shipments.currency = fx.currency

)

select * from converted
