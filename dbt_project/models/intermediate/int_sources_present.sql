-- Which exports this shop has sent so far, one row. A KPI whose input never arrived is
-- NULL (never a silent 0); the dashboards name the export that would fill it.
with

order_lines as (

    select * from {{ ref('stg_shop__order_lines') }}

),

traffic as (

    select * from {{ ref('stg_shop__traffic') }}

),

ad_spend as (

    select * from {{ ref('stg_shop__ad_spend') }}

),

shipments as (

    select * from {{ ref('stg_shop__shipments') }}

),

inventory_snapshots as (

    select * from {{ ref('stg_shop__inventory_snapshots') }}

),

products as (

    select * from {{ ref('stg_shop__products') }}

),

targets as (

    select * from {{ ref('stg_shop__targets') }}

),

order_campaigns as (

    -- not from order_lines: DuckDB would materialise a CTE read twice, every row of it
    select * from {{ ref('stg_shop__order_lines') }}
    where utm_campaign is not null and utm_campaign != ''

),

final as (

    select
        {{ has_rows('order_lines') }} as has_orders,
        {{ has_rows('traffic') }} as has_traffic,
        {{ has_rows('ad_spend') }} as has_ads,
        {{ has_rows('shipments') }} as has_logistics,
        {{ has_rows('inventory_snapshots') }} as has_inventory,
        {{ has_rows('products') }} as has_products,
        {{ has_rows('targets') }} as has_targets,
        -- attribution needs orders that name their campaign (utm_campaign): most exports
        -- (marketplaces', Shopify's order export) have no such column, and their
        -- campaigns' attributed revenue is then unknown, not 0 (implies has_orders)
        {{ has_rows('order_campaigns') }} as has_order_campaigns

)

select * from final
