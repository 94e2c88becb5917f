{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'dim_customers'}}}) }}
-- A new customer is counted once everywhere: on the day of the first order
-- (fct_daily_kpis), as a customer (dim_customers), in a cohort's first month
-- (customer_cohorts) and in repurchase; dim_customers holds every order of named buyers.
-- dim_customers is read through int_customer_totals, which it shows row for row (a view:
-- reading it would score every customer again).
-- depends_on: {{ ref('dim_customers') }}
-- Returns one row per disagreeing pair.
with

daily as (

    select sum(new_customers) as total from {{ ref('fct_daily_kpis') }}

),

customers as (

    select
        count(*) as total,
        sum(orders) as orders
    from {{ ref('int_customer_totals') }}

),

cohorts as (

    select sum(cohort_customers) as total
    from {{ ref('customer_cohorts') }}
    where months_since_first = 0

),

repurchase as (

    select sum(new_customers) as total from {{ ref('repurchase') }}

),

customer_orders as (

    select count(*) as total from {{ ref('int_customer_orders') }}

),

pairs as (

    select
        'dim_customers vs fct_daily_kpis new customers' as rule,
        customers.total as found,
        daily.total as expected
    from customers cross join daily
    union all
    select
        'customer_cohorts month 0 vs fct_daily_kpis new customers' as rule,
        cohorts.total as found,
        daily.total as expected
    from cohorts cross join daily
    union all
    select
        'repurchase vs fct_daily_kpis new customers' as rule,
        repurchase.total as found,
        daily.total as expected
    from repurchase cross join daily
    union all
    select
        'dim_customers orders vs the orders of named buyers' as rule,
        customers.orders as found,
        customer_orders.total as expected
    from customers cross join customer_orders

)

select * from pairs
where coalesce(found, 0) != coalesce(expected, 0)
