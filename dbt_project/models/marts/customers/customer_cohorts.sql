-- Monthly retention of first-order cohorts (kpis.md, customer_cohorts). Every cohort has a
-- row for every month from its first to the last month with orders, active or not.
with

customer_months as {{ not_materialized() }} (

    select * from {{ ref('int_customer_months') }}

),

cohort_sizes as (

    select
        cohort_month,
        count(*) as cohort_customers
    from customer_months
    -- each customer has one row in the month of the first order
    where activity_month = cohort_month
    group by cohort_month

),

bounds as (

    select
        min(activity_month) as first_day,
        max(activity_month) as last_day
    from customer_months

),

days as (

    {{ days_between('first_day', 'last_day', 'bounds', 'calendar_date') }}

),

months as (

    select distinct {{ month_start('calendar_date') }} as activity_month
    from days

),

grid as (

    select
        cohort_sizes.cohort_month,
        cohort_sizes.cohort_customers,
        months.activity_month
    from cohort_sizes
    inner join months
        on cohort_sizes.cohort_month <= months.activity_month

),

activity as (

    select
        cohort_month,
        activity_month,
        count(*) as active_customers,
        sum(net_revenue) as cohort_revenue
    from customer_months
    group by cohort_month, activity_month

),

final as (

    select
        grid.cohort_month,
        cast(
            {{ dbt.datediff('grid.cohort_month', 'grid.activity_month', 'month') }} as integer  -- noqa: LT05
        ) as months_since_first,
        grid.activity_month,
        grid.cohort_customers,
        coalesce(activity.active_customers, 0) as active_customers,
        {{ safe_ratio('coalesce(activity.active_customers, 0)', 'grid.cohort_customers') }}
            as retention_rate,
        coalesce(activity.cohort_revenue, 0) as cohort_revenue
    from grid
    left join activity
        on
            grid.cohort_month = activity.cohort_month
            and grid.activity_month = activity.activity_month

)

select * from final
order by cohort_month, months_since_first
