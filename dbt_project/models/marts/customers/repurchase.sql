-- 90-day repurchase per first-order month (kpis.md, repurchase). Whether a customer came
-- back within 90 days of the first order is decided per customer in int_customer_totals.
with

customers as {{ not_materialized() }} (

    select * from {{ ref('int_customer_totals') }}

),

data_end as (

    select max(last_order_date) as last_paid_date from customers

),

per_cohort as (

    select
        cohort_month,
        count(*) as new_customers,
        count(case when repurchased_90d then 1 end) as repurchased_90d,
        max(first_order_date) as last_first_order_date
    from customers
    group by cohort_month

),

final as (

    select
        per_cohort.cohort_month,
        per_cohort.new_customers,
        per_cohort.repurchased_90d,
        {{ safe_ratio('per_cohort.repurchased_90d', 'per_cohort.new_customers') }}
            as repurchase_rate_90d,
        -- every customer of the cohort has had 90 days of data to come back in
        {{ dbt.dateadd('day', 90, 'per_cohort.last_first_order_date') }}
        <= data_end.last_paid_date as window_complete
    from per_cohort
    cross join data_end

)

select * from final
order by cohort_month
