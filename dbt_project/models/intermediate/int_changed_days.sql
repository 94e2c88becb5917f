-- The local days this build rewrote rows for, old and new, per daily model: the days
-- fct_daily_kpis and int_daily_sku_sales compute again and replace whole, so a day whose
-- orders were all cancelled or moved keeps no stale row. A full build rewrites every day.
with

orders as (

    select * from {{ ref('int_orders_summarised') }}
    where build_id = '{{ invocation_id }}'

),

order_lines as (

    select * from {{ ref('int_order_lines_converted') }}
    where build_id = '{{ invocation_id }}'

),

traffic as (

    select * from {{ ref('int_traffic_daily') }}
    where build_id = '{{ invocation_id }}'

),

kpi_days as (

    select paid_date as changed_date from orders
    union
    select previous_paid_date from orders
    union
    select traffic_date from traffic

),

sales_days as (

    select paid_date as changed_date from order_lines
    union
    select previous_paid_date from order_lines

),

final as (

    select
        'fct_daily_kpis' as for_model,
        changed_date
    from kpi_days
    where changed_date is not null
    union all
    select
        'int_daily_sku_sales' as for_model,
        changed_date
    from sales_days
    where changed_date is not null

)

select * from final
