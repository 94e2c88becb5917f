{{ config(meta={'dagster': {'ref': {'name': 'int_order_lines_converted'}}}) }}
-- Money in a currency with no rate on or before its day would vanish from the KPIs.
-- Fails with one row per such currency, naming it and the first day affected.
with

missing as (

    select
        currency,
        coalesce(paid_date, order_date) as booked_date,
        'orders' as source
    from {{ ref('int_order_lines_converted') }}
    where fx_rate is null
    union all
    select
        currency,
        ship_date,
        'logistics' as source
    from {{ ref('int_shipments_converted') }}
    where fx_rate is null

)

select
    currency,
    source,
    min(booked_date) as first_day_without_rate,
    count(*) as rows_without_rate
from missing
group by currency, source
