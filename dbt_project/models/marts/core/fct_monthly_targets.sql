-- Each month's net revenue against the target the shop set for it, per platform and for
-- the whole shop ('all'). Only months with a target have a row.
with

targets as (

    select * from {{ ref('stg_shop__targets') }}

),

fx as (

    select * from {{ ref('int_fx_rates_daily') }}

),

-- the daily marts' net revenue of valid orders, summed by month: thousands of rows, where
-- the orders are millions
daily_kpis as (

    select * from {{ ref('fct_daily_kpis') }}

),

sources_present as (

    select * from {{ ref('int_sources_present') }}

),

-- a target in another currency counts at the rate of the month's first day
targets_converted as (

    select
        targets.target_month,
        targets.platform,
        {{ to_reporting('targets.net_revenue_target', 'fx.rate') }} as net_revenue_target
    from targets
    left join fx
        on
            targets.target_month = fx.rate_date
            and targets.currency = fx.currency

),

sales_days as (

    select
        platform,
        cast(date_trunc('month', "date") as date) as paid_month,
        "date" as paid_date,
        net_revenue
    from daily_kpis
    where orders > 0

),

month_revenue as (

    select
        paid_month,
        platform,
        sum(net_revenue) as net_revenue
    from sales_days
    group by paid_month, platform
    union all
    select
        paid_month,
        'all' as platform,
        sum(net_revenue) as net_revenue
    from sales_days
    group by paid_month

),

last_sales_day as (

    select max(paid_date) as last_day from sales_days

),

joined as (

    select
        targets_converted.target_month,
        targets_converted.platform,
        targets_converted.net_revenue_target,
        -- a month without sales is 0 once orders exist, unknown (NULL) before
        case
            when sources_present.has_orders then coalesce(month_revenue.net_revenue, 0)
        end as net_revenue,
        -- the share of the month's days up to the last day with sales
        case
            when last_sales_day.last_day is null then null
            when last_sales_day.last_day >= last_day(targets_converted.target_month) then 1.0
            when last_sales_day.last_day < targets_converted.target_month then 0.0
            else
                cast(day(last_sales_day.last_day) as double)
                / day(last_day(targets_converted.target_month))
        end as month_elapsed
    from targets_converted
    left join month_revenue
        on
            targets_converted.target_month = month_revenue.paid_month
            and targets_converted.platform = month_revenue.platform
    cross join sources_present
    cross join last_sales_day

),

final as (

    select
        target_month as "month",
        platform,
        net_revenue_target,
        net_revenue,
        {{ safe_ratio('net_revenue', 'net_revenue_target') }} as target_attainment,
        month_elapsed
    from joined

)

-- a stable row order keeps the published file the same for the same inputs
select * from final
order by "month", platform
