-- Stock per snapshot day and sku, summed over warehouses, valued at the snapshot's unit cost
-- (else the product's), in the reporting currency at the snapshot day's rate. A snapshot's
-- unit_cost is in the product's currency.
with

snapshots as (

    select * from {{ ref('stg_shop__inventory_snapshots') }}

),

products as (

    select * from {{ ref('stg_shop__products') }}

),

fx as (

    select * from {{ ref('int_fx_rates_daily') }}

),

valued as (

    select
        snapshots.snapshot_date,
        snapshots.sku,
        snapshots.on_hand_qty,
        {{ to_reporting(
            'snapshots.on_hand_qty * coalesce(snapshots.snapshot_unit_cost, products.unit_cost)',
            'fx.rate'
        ) }} as inventory_value
    from snapshots
    left join products
        on snapshots.sku = products.sku
    left join fx
        on
            snapshots.snapshot_date = fx.rate_date
            and products.currency = fx.currency

),

per_day as (

    select
        snapshot_date,
        sku,
        {{ stored_count('sum(on_hand_qty)') }} as on_hand_qty,
        {{ stored_money('sum(inventory_value)') }} as inventory_value
    from valued
    group by snapshot_date, sku

)

select * from per_day
