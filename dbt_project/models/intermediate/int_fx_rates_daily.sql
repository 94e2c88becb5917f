-- One rate per day and currency: a day without a published rate uses the latest earlier one.
with

rates as (

    select * from {{ ref('stg_shop__fx_rates') }}

),

order_lines as (

    select * from {{ ref('stg_shop__order_lines') }}

),

ad_spend as (

    select * from {{ ref('stg_shop__ad_spend') }}

),

shipments as (

    select * from {{ ref('stg_shop__shipments') }}

),

inventory_snapshots as (

    select * from {{ ref('stg_shop__inventory_snapshots') }}

),

targets as (

    select * from {{ ref('stg_shop__targets') }}

),

-- the large sources read once each, their currencies with their first and last times
-- (read twice, DuckDB kept every row of ten million order lines in between: 0.4 s more)
order_line_currencies as (

    select
        currency,
        min(ordered_at) as first_ordered_at,
        max(ordered_at) as last_ordered_at,
        min(paid_at) as first_paid_at,
        max(paid_at) as last_paid_at
    from order_lines
    group by currency

),

shipment_currencies as (

    select
        currency,
        min(shipped_at) as first_shipped_at,
        max(shipped_at) as last_shipped_at
    from shipments
    group by currency

),

-- every day money is booked on (or stock is valued on) needs a rate: each source's first
-- and last day (a local day only grows with the UTC time: the bounds of the times are
-- converted, not every row's)
booked_bounds as (

    select
        {{ local_date('min(first_ordered_at)') }} as first_day,
        {{ local_date('max(last_ordered_at)') }} as last_day
    from order_line_currencies
    union all
    select
        {{ local_date('min(first_paid_at)') }} as first_day,
        {{ local_date('max(last_paid_at)') }} as last_day
    from order_line_currencies
    union all
    select
        min(spend_date) as first_day,
        max(spend_date) as last_day
    from ad_spend
    union all
    select
        {{ local_date('min(first_shipped_at)') }} as first_day,
        {{ local_date('max(last_shipped_at)') }} as last_day
    from shipment_currencies
    union all
    select
        min(snapshot_date) as first_day,
        max(snapshot_date) as last_day
    from inventory_snapshots
    union all
    select
        min(target_month) as first_day,
        max(target_month) as last_day
    from targets
    union all
    select
        min(rate_date) as first_day,
        max(rate_date) as last_day
    from rates

),

bounds as (

    select
        min(first_day) as first_day,
        max(last_day) as last_day
    from booked_bounds

),

booked_currencies as (

    select currency from order_line_currencies
    union
    select currency from ad_spend
    union
    select currency from shipment_currencies
    union
    select currency from targets
    union
    select currency from rates

),

days as (

    {{ days_between('first_day', 'last_day', 'bounds', 'rate_date') }}

),

currencies as (

    select currency from booked_currencies
    where currency is not null
    union
    select '{{ var("reporting_currency") }}'

),

grid as (

    select
        days.rate_date,
        currencies.currency
    from days
    cross join currencies

),

filled as (

    select
        grid.rate_date,
        grid.currency,
        case
            when grid.currency = '{{ var("reporting_currency") }}' then 1.0
            else last_value(rates.rate ignore nulls) over (
                partition by grid.currency
                order by grid.rate_date
                rows between unbounded preceding and current row
            )
        end as rate
    from grid
    left join rates
        on
            grid.rate_date = rates.rate_date
            and grid.currency = rates.currency

)

select * from filled
