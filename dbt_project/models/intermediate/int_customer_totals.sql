-- One row per customer (platform + customer_id) of int_customer_orders: first and last
-- paid day, valid orders, money, and whether they ordered again within 90 days of their
-- first order. dim_customers and repurchase read these few million rows instead of every
-- order again.
-- Incremental: a build computes again, whole, each customer it changed
-- (int_changed_customers); a customer with no valid order left keeps no row.
-- depends_on: {{ ref('int_changed_customers') }}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_changed_customers() }}",
        on_schema_change='fail',
    )
}}

with

orders as (

    select * from {{ ref('int_customer_orders') }}
    where {{ only_changed_customers() }}

),

with_first as (

    select
        *,
        -- the first order's: the earliest paid (int_orders_summarised, is_first_order)
        min(paid_at) over (partition by platform, customer_id) as first_paid_at
    from orders

),

final as (

    select
        platform,
        customer_id,
        min(first_paid_at) as first_paid_at,
        min(paid_date) as first_order_date,
        {{ month_start('min(paid_date)') }} as cohort_month,
        max(paid_date) as last_order_date,
        count(*) as orders,
        {{ stored_money('sum(net_revenue)') }} as net_revenue,
        -- NULL only when every order's is (sum() skips NULLs): dim_customers' gross profit
        {{ stored_money('sum(cogs)') }} as cogs,
        {{ stored_money('sum(logistics_cost)') }} as logistics_cost,
        -- kpis.md, repurchase: another valid order paid strictly after the first (a split
        -- checkout paid in the same second is no repurchase) and at most 90 days after it
        bool_or(
            paid_at > first_paid_at
            and paid_at <= {{ dbt.dateadd('day', 90, 'first_paid_at') }}
        ) as repurchased_90d,
        -- the build that computed the row: its tests check the customers it rewrote
        '{{ invocation_id }}' as customer_build_id
    from with_first
    group by platform, customer_id

)

select * from final
