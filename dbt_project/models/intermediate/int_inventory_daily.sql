-- Stock per snapshot day and sku, summed over warehouses, valued at the snapshot's unit cost
-- (else the product's), in the reporting currency at the snapshot day's rate. A snapshot's
-- unit_cost is in the product's currency.
-- Incremental: a build rewrites each day and sku a load since the last build added or
-- re-exported snapshot rows for (a products or rates export rebuilds in full).
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['snapshot_date', 'sku'],
        on_schema_change='fail',
    )
}}

with

snapshots as (

    select * from {{ ref('stg_shop__inventory_snapshots') }}

),

{% if is_incremental() %}

changed_days as (

    select distinct
        snapshot_date,
        sku
    from snapshots
    where {{ loads_since_last_build() }}

),

{% endif %}

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
        ) }} as inventory_value,
        snapshots.load_id
    from snapshots
    left join products
        on snapshots.sku = products.sku
    left join fx
        on
            snapshots.snapshot_date = fx.rate_date
            and products.currency = fx.currency
    {% if is_incremental() %}
        where exists (
            select 1 from changed_days
            where
                changed_days.snapshot_date = snapshots.snapshot_date
                and changed_days.sku = snapshots.sku
        )
    {% endif %}

),

per_day as (

    select
        snapshot_date,
        sku,
        {{ stored_count('sum(on_hand_qty)') }} as on_hand_qty,
        {{ stored_money('sum(inventory_value)') }} as inventory_value,
        max(load_id) as load_id
    from valued
    group by snapshot_date, sku

)

select * from per_day
