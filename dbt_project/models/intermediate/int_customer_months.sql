-- One row per customer (platform + customer_id) and month they paid valid orders in, with
-- those orders' net revenue and the customer's cohort (the month of the first order): the
-- activity customer_cohorts counts.
-- Incremental: a build computes again, whole, each customer it changed
-- (int_changed_customers).
-- depends_on: {{ ref('int_changed_customers') }}
-- After int_customer_totals, never beside it: on a full build each groups every customer,
-- and the two at once ran out of DuckDB's memory limit at ten million order lines.
-- depends_on: {{ ref('int_customer_totals') }}
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

final as (

    select
        platform,
        customer_id,
        min(paid_month) over (partition by platform, customer_id) as cohort_month,
        paid_month as activity_month,
        {{ stored_money('sum(net_revenue)') }} as net_revenue
    from orders
    group by platform, customer_id, paid_month

)

select * from final
