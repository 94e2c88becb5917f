-- Daily KPIs per platform (kpis.md, fct_daily_kpis). A day is a local day of paid_ts for
-- orders and the traffic day for sessions; a day with only one of the two still has a row.
-- Incremental: a build computes again, whole, each day it changed (int_changed_days).
-- depends_on: {{ ref('int_changed_days') }}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_changed_days('date') }}",
        on_schema_change='fail',
    )
}}

with

orders as (

    select * from {{ ref('int_orders_summarised') }}
    where is_valid and {{ only_changed_days('paid_date') }}

),

traffic as (

    select * from {{ ref('int_traffic_daily') }}
    where {{ only_changed_days('traffic_date') }}

),

sources_present as (

    select * from {{ ref('int_sources_present') }}

),

order_days as (

    select
        paid_date as kpi_date,
        platform,
        count(*) as orders,
        count(distinct customer_id) as customers,
        sum(case when is_first_order then 1 else 0 end) as new_customers,
        -- named buyers whose first order was on an earlier day (a masked buyer is no one's
        -- returning customer)
        count(distinct case when not is_placeholder_customer then customer_id end)
        - sum(case when is_first_order then 1 else 0 end) as returning_customers,
        sum(gross_sales) as gross_sales,
        sum(discounts) as discounts,
        sum(refunds) as refunds,
        sum(net_revenue) as net_revenue,
        -- the known part: orders whose cost is unknown add nothing, NULL when none is known
        sum(cogs) as cogs,
        sum(net_revenue_with_cost) as net_revenue_with_cost,
        sum(logistics_cost) as logistics_cost
    from orders
    group by paid_date, platform

),

traffic_days as (

    select
        traffic_date as kpi_date,
        platform,
        sessions,
        visitors
    from traffic

),

joined as (

    -- a day with traffic and no orders sold nothing (0); without an orders export at all,
    -- or without traffic that day, the figure is unknown (NULL)
    select
        coalesce(order_days.kpi_date, traffic_days.kpi_date) as kpi_date,
        coalesce(order_days.platform, traffic_days.platform) as platform,
        case
            when sources_present.has_orders then coalesce(order_days.orders, 0)
        end as orders,
        case
            when sources_present.has_orders then coalesce(order_days.customers, 0)
        end as customers,
        case
            when sources_present.has_orders then coalesce(order_days.new_customers, 0)
        end as new_customers,
        case
            when sources_present.has_orders then coalesce(order_days.returning_customers, 0)
        end as returning_customers,
        case
            when sources_present.has_orders then coalesce(order_days.gross_sales, 0)
        end as gross_sales,
        case
            when sources_present.has_orders then coalesce(order_days.discounts, 0)
        end as discounts,
        case
            when sources_present.has_orders then coalesce(order_days.refunds, 0)
        end as refunds,
        case
            when sources_present.has_orders then coalesce(order_days.net_revenue, 0)
        end as net_revenue,
        case
            when sources_present.has_orders then coalesce(order_days.net_revenue_with_cost, 0)
        end as net_revenue_with_cost,
        case
            when order_days.kpi_date is null and sources_present.has_orders then 0
            else order_days.cogs
        end as cogs,
        case
            when order_days.kpi_date is null and sources_present.has_logistics then 0
            else order_days.logistics_cost
        end as logistics_cost,
        traffic_days.sessions,
        traffic_days.visitors
    from order_days
    full outer join traffic_days
        on
            order_days.kpi_date = traffic_days.kpi_date
            and order_days.platform = traffic_days.platform
    cross join sources_present

),

final as (

    select
        kpi_date as "date",
        platform,
        orders,
        customers,
        new_customers,
        returning_customers,
        gross_sales,
        discounts,
        refunds,
        {{ safe_ratio('refunds', 'gross_sales - discounts') }} as refund_rate,
        net_revenue,
        {{ safe_ratio('gross_sales - discounts', 'orders') }} as aov,
        {{ safe_ratio('gross_sales - discounts', 'customers') }} as revenue_per_buyer,
        sessions,
        {{ safe_ratio('orders', 'sessions') }} as conversion_rate,
        visitors,
        {{ safe_ratio('customers', 'visitors') }} as buyer_conversion_rate,
        cogs,
        {{ safe_ratio('net_revenue_with_cost', 'net_revenue') }} as cogs_coverage,
        net_revenue_with_cost,
        logistics_cost,
        net_revenue - cogs - logistics_cost as gross_profit,
        {{ safe_ratio('net_revenue - cogs - logistics_cost', 'net_revenue') }} as gross_margin
    from joined

)

-- a stable row order keeps the published file the same for the same inputs
select * from final
order by "date", platform
