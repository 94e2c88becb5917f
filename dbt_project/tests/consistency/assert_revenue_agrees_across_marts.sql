{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'fct_daily_kpis'}}}) }}
-- Net revenue is one number whichever mart sums it: the daily marts count every valid
-- order, the customer marts the orders of named buyers (int_customer_orders).
-- Returns one row per disagreeing pair.
with

daily as (

    select sum(net_revenue) as total from {{ ref('fct_daily_kpis') }}

),

marketing as (

    select sum(net_revenue) as total from {{ ref('fct_daily_marketing') }}

),

customer_orders as (

    select sum(net_revenue) as total from {{ ref('int_customer_orders') }}

),

customers as (

    -- dim_customers, row for row (a view: reading it would score every customer again)
    select sum(net_revenue) as total from {{ ref('int_customer_totals') }}

),

cohorts as (

    select sum(cohort_revenue) as total from {{ ref('customer_cohorts') }}

),

pairs as (

    select
        'fct_daily_marketing vs fct_daily_kpis' as rule,
        marketing.total as found,
        daily.total as expected
    from marketing cross join daily
    union all
    select
        'dim_customers vs the orders of named buyers' as rule,
        customers.total as found,
        customer_orders.total as expected
    from customers cross join customer_orders
    union all
    select
        'customer_cohorts vs the orders of named buyers' as rule,
        cohorts.total as found,
        customer_orders.total as expected
    from cohorts cross join customer_orders

)

select * from pairs
where abs(coalesce(found, 0) - coalesce(expected, 0)) > 0.01
