{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'customer_cohorts'}}}) }}
-- Shares are between 0 and 1, and a cohort's first month keeps all of it.
-- Returns one row per rate out of range.
with

rates as (

    select
        'customer_cohorts.retention_rate' as rate,
        retention_rate as value
    from {{ ref('customer_cohorts') }}
    union all
    select
        'customer_cohorts.retention_rate in month 0' as rate,
        retention_rate - 1 as value
    from {{ ref('customer_cohorts') }}
    where months_since_first = 0
    union all
    select
        'repurchase.repurchase_rate_90d' as rate,
        repurchase_rate_90d as value
    from {{ ref('repurchase') }}
    union all
    select
        'logistics_performance.on_time_rate' as rate,
        on_time_rate as value
    from {{ ref('logistics_performance') }}
    union all
    select
        'logistics_performance.return_rate' as rate,
        return_rate as value
    from {{ ref('logistics_performance') }}
    union all
    select
        'inventory_turnover.sell_through_rate' as rate,
        sell_through_rate as value
    from {{ ref('inventory_turnover') }}
    union all
    select
        'campaign_roi.ctr' as rate,
        ctr as value
    from {{ ref('campaign_roi') }}

)

select * from rates
where
    value < 0
    or (value > 1 and rate != 'customer_cohorts.retention_rate in month 0')
    or (value != 0 and rate = 'customer_cohorts.retention_rate in month 0')
