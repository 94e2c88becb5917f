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

final as (

    select
        (select count(*) from order_lines) > 0 as has_orders,
        (select count(*) from traffic) > 0 as has_traffic,
        (select count(*) from ad_spend) > 0 as has_ads,
        (select count(*) from shipments) > 0 as has_logistics,
        (select count(*) from inventory_snapshots) > 0 as has_inventory,
        (select count(*) from products) > 0 as has_products,
        (select count(*) from targets) > 0 as has_targets,
        -- attribution needs orders that name their campaign (utm_campaign): most exports
        -- (marketplaces', Shopify's order export) have no such column, and their
        -- campaigns' attributed revenue is then unknown, not 0 (implies has_orders;
        -- exists: stops at the first)
        exists(
            select 1 from order_lines
            where utm_campaign is not null and utm_campaign != ''
        ) as has_order_campaigns

)

select * from final
