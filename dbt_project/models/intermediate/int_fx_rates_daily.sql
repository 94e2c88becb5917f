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

-- every day money is booked on (or stock is valued on) needs a rate
booked_days as (

    select
        order_date as booked_date,
        currency
    from order_lines
    union all
    select
        paid_date,
        currency
    from order_lines
    union all
    select
        spend_date,
        currency
    from ad_spend
    union all
    select
        ship_date,
        currency
    from shipments
    union all
    select
        snapshot_date,
        null as currency
    from inventory_snapshots
    union all
    select
        target_month,
        currency
    from targets
    union all
    select
        rate_date,
        currency
    from rates

),

bounds as (

    select
        min(booked_date) as first_day,
        max(booked_date) as last_day
    from booked_days

),

days as (

    {{ days_between('first_day', 'last_day', 'bounds', 'rate_date') }}

),

currencies as (

    select distinct currency from booked_days
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
