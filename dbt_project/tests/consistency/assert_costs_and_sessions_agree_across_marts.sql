{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'fct_daily_kpis'}}}) }}
-- Cost of goods is one number in inventory_turnover and fct_daily_kpis, every shipment's
-- cost lands in logistics_performance once, and the funnel holds the daily sessions.
-- Returns one row per disagreeing pair.
with

daily as (

    select
        sum(cogs) as cogs,
        sum(sessions) as sessions
    from {{ ref('fct_daily_kpis') }}

),

turnover as (

    select sum(cogs) as cogs from {{ ref('inventory_turnover') }}

),

logistics as (

    select sum(shipping_cost) as cost from {{ ref('logistics_performance') }}

),

shipments as (

    select sum(cost) as cost from {{ ref('int_shipments_converted') }}

),

funnel as (

    select sum(sessions) as sessions from {{ ref('conversion_funnel') }}

),

pairs as (

    select
        'inventory_turnover cogs vs fct_daily_kpis' as rule,
        turnover.cogs as found,
        daily.cogs as expected
    from turnover cross join daily
    union all
    select
        'logistics_performance shipping cost vs shipments' as rule,
        logistics.cost as found,
        shipments.cost as expected
    from logistics cross join shipments
    union all
    select
        'conversion_funnel sessions vs fct_daily_kpis' as rule,
        funnel.sessions as found,
        daily.sessions as expected
    from funnel cross join daily

)

select * from pairs
where abs(coalesce(found, 0) - coalesce(expected, 0)) > 0.01
