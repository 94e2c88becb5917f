-- 90-day repurchase per first-order month (kpis.md, repurchase).
with

orders as (

    select * from {{ ref('int_customer_orders') }}

),

first_orders as (

    select
        platform,
        customer_id,
        paid_at as first_paid_at,
        paid_date as first_paid_date,
        paid_month as cohort_month
    from orders
    where is_first_order

),

repeat_buyers as (

    select distinct
        first_orders.platform,
        first_orders.customer_id
    from first_orders
    inner join orders
        on
            first_orders.platform = orders.platform
            and first_orders.customer_id = orders.customer_id
            -- strictly after: a split checkout paid in the same second is no repurchase
            and first_orders.first_paid_at < orders.paid_at
            and orders.paid_at <= {{ dbt.dateadd('day', 90, 'first_orders.first_paid_at') }}

),

data_end as (

    select max(paid_date) as last_paid_date from orders

),

per_cohort as (

    select
        first_orders.cohort_month,
        count(*) as new_customers,
        count(repeat_buyers.customer_id) as repurchased_90d,
        max(first_orders.first_paid_date) as last_first_order_date
    from first_orders
    left join repeat_buyers
        on
            first_orders.platform = repeat_buyers.platform
            and first_orders.customer_id = repeat_buyers.customer_id
    group by first_orders.cohort_month

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
