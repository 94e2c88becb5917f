-- Daily KPIs per platform (kpis.md, fct_daily_kpis). A day is a local day of paid_ts for
-- orders and the traffic day for sessions; a day with only one of the two still has a row.
with

orders as (

    select * from {{ ref('int_orders_summarised') }}
    where is_valid

),

traffic as (

    select * from {{ ref('stg_shop__traffic') }}

),

order_days as (

    select
        paid_date as kpi_date,
        platform,
        count(*) as orders,
        count(distinct customer_id) as customers,
        sum(case when is_first_order then 1 else 0 end) as new_customers,
        sum(gross_sales) as gross_sales,
        sum(discounts) as discounts,
        sum(refunds) as refunds,
        sum(net_revenue) as net_revenue,
        sum(cogs) as cogs,
        sum(logistics_cost) as logistics_cost,
        sum(gross_profit) as gross_profit
    from orders
    group by paid_date, platform

),

traffic_days as (

    select
        traffic_date as kpi_date,
        platform,
        sum(sessions) as sessions,
        sum(visitors) as visitors
    from traffic
    group by traffic_date, platform

),

joined as (

    select
        coalesce(order_days.kpi_date, traffic_days.kpi_date) as kpi_date,
        coalesce(order_days.platform, traffic_days.platform) as platform,
        coalesce(order_days.orders, 0) as orders,
        coalesce(order_days.customers, 0) as customers,
        coalesce(order_days.new_customers, 0) as new_customers,
        coalesce(order_days.gross_sales, 0) as gross_sales,
        coalesce(order_days.discounts, 0) as discounts,
        coalesce(order_days.refunds, 0) as refunds,
        coalesce(order_days.net_revenue, 0) as net_revenue,
        coalesce(order_days.cogs, 0) as cogs,
        coalesce(order_days.logistics_cost, 0) as logistics_cost,
        coalesce(order_days.gross_profit, 0) as gross_profit,
        coalesce(traffic_days.sessions, 0) as sessions,
        coalesce(traffic_days.visitors, 0) as visitors
    from order_days
    full outer join traffic_days
        on
            order_days.kpi_date = traffic_days.kpi_date
            and order_days.platform = traffic_days.platform

),

final as (

    select
        kpi_date as "date",
        platform,
        orders,
        customers,
        new_customers,
        gross_sales,
        discounts,
        refunds,
        net_revenue,
        {{ safe_ratio('gross_sales - discounts', 'orders') }} as aov,
        {{ safe_ratio('gross_sales - discounts', 'customers') }} as revenue_per_buyer,
        sessions,
        {{ safe_ratio('orders', 'sessions') }} as conversion_rate,
        visitors,
        {{ safe_ratio('customers', 'visitors') }} as buyer_conversion_rate,
        cogs,
        logistics_cost,
        gross_profit
    from joined

)

-- a stable row order keeps the published file the same for the same inputs
select * from final
order by "date", platform
