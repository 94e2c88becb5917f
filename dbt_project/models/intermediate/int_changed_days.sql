-- The local days this build rewrote rows for, old and new, per daily model: the days
-- fct_daily_kpis and int_daily_sku_sales compute again and replace whole, so a day whose
-- orders were all cancelled or moved keeps no stale row; for the monthly
-- logistics_performance, the first day of each month it computes again; for
-- int_campaign_days, the orders' days, the days of the ad rows loaded since the last
-- finished build and every paid day of the orders whose campaign attribution may have
-- changed. A full build rewrites every day.
{#- the last load the last finished build read; with no record of builds (dbt run by
    hand on a new warehouse, the SQL linter) every load is new -#}
{%- set builds = adapter.get_relation(
    database=target.database, schema='audit', identifier='transform_builds'
) if execute else none -%}
{%- set last_built_load = 'null' if flags.FULL_REFRESH else value_of(
    'select coalesce(max(through_load_id), -1) from ' ~ builds ~ ' where succeeded'
) if builds else '-1' %}

with

orders as (

    select * from {{ ref('int_orders_summarised') }}
    where build_id = '{{ invocation_id }}'

),

order_lines as (

    select * from {{ ref('int_order_lines_converted') }}
    where build_id = '{{ invocation_id }}'

),

shipments as (

    select * from {{ ref('int_shipments_converted') }}
    where build_id = '{{ invocation_id }}'

),

traffic as (

    select * from {{ ref('int_traffic_daily') }}
    where build_id = '{{ invocation_id }}'

),

order_days as (

    select paid_date as changed_date from orders
    union
    select previous_paid_date from orders

),

kpi_days as (

    select changed_date from order_days
    union
    select traffic_date from traffic

),

ad_spend as (

    select * from {{ ref('int_ad_spend_converted') }}

),

-- the campaigns whose orders an ads export may have attributed anew: an order's
-- utm_campaign attributes to the first ad platform (by name) of the campaign it names,
-- once an ads export names it. Of the rows before this build only those not re-exported
-- since are known (a re-export replaces a row of the same day and campaign): a campaign
-- all of whose rows came again counts too, and its days come out as they were.
reattributed_campaigns as (

    select campaign_id
    from ad_spend
    group by campaign_id
    having
        min(ad_platform)
        is distinct from min(case when load_id <= {{ last_built_load }} then ad_platform end)

),

campaign_days as (

    select changed_date from order_days
    union
    select spend_date from ad_spend
    where load_id > {{ last_built_load }}
    union
    select attributed.paid_date
    from {{ ref('int_orders_summarised') }} as attributed
    where
        attributed.is_valid
        and attributed.utm_campaign in (
            select reattributed_campaigns.campaign_id from reattributed_campaigns
        )

),

sales_days as (

    select paid_date as changed_date from order_lines
    union
    select previous_paid_date from order_lines

),

-- orders whose revenue or returns count in the months they were shipped out in: those
-- whose lines or shipments this build rewrote (an order rewritten only because its
-- customer's first order moved keeps its revenue). From a table whose size DuckDB knows
-- (int_rewritten_orders says why): the hash join below is then built on these few
-- thousand orders, not on every shipment (ten million order lines: 0.6 s of 0.8)
touched_orders as (

    select order_id from {{ ref('int_rewritten_orders') }}

),

logistics_days as (

    select ship_date as changed_date from shipments
    union
    select previous_ship_date from shipments
    union
    select all_shipments.ship_date
    from {{ ref('int_shipments_converted') }} as all_shipments
    where
        all_shipments.direction = 'outbound'
        and all_shipments.order_id in (select touched_orders.order_id from touched_orders)

),

final as (

    select
        'fct_daily_kpis' as for_model,
        changed_date
    from kpi_days
    where changed_date is not null
    union all
    select
        'int_daily_sku_sales' as for_model,
        changed_date
    from sales_days
    where changed_date is not null
    union all
    select
        'int_campaign_days' as for_model,
        changed_date
    from campaign_days
    where changed_date is not null
    union all
    select distinct
        'logistics_performance' as for_model,
        {{ month_start('changed_date') }} as changed_date
    from logistics_days
    where changed_date is not null

)

select * from final
{% if flags.FULL_REFRESH %}
    -- a full build rewrites every day: nothing reads these, and every row is new
    where false
{% endif %}
