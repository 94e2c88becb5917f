-- One row: what dim_customers scores every customer against. as_of_date is the last day
-- with valid orders in the data (recency counts back from it, so an old export is not
-- "all lost"); end_<q>_* name the last customer of net-revenue quintile q (1-4) as
-- ntile(5) over (order by net_revenue, platform, customer_id) numbers them, found from
-- the revenues' running counts instead of sorting every customer (at ten million order
-- lines that sort was 5 s).
-- A table of one row apart from dim_customers, a view: the dashboards' file keeps the
-- customers and this row, and only the customers a build changed are written there again
-- (pipelines/lib/publish.py), though recency and the quintiles move with every new day.
with

customers as {{ not_materialized() }} (

    select * from {{ ref('int_customer_totals') }}

),

data_end as (

    select max(last_order_date) as as_of_date from customers

),

customer_count as (

    select count(*) as customers from customers

),

quintiles as (

    select unnest([1, 2, 3, 4]) as quintile

),

-- the rank of quintile 1-4's last customer: ntile gives the first `customers % 5`
-- quintiles one customer more
quintile_ends as (

    select
        quintiles.quintile,
        quintiles.quintile * (customer_count.customers // 5)
        + least(quintiles.quintile, customer_count.customers % 5) as end_rank
    from customer_count
    cross join quintiles

),

revenues as (

    select
        net_revenue,
        count(*) as customers_with_it,
        sum(count(*)) over (order by net_revenue) - count(*) as customers_below
    from customers
    group by net_revenue

),

-- the last customer of each quintile: the revenue its rank falls in, then its place among
-- the customers with that revenue (by platform, customer_id)
quintile_end_customers as (

    select
        quintile_ends.quintile,
        customers.net_revenue,
        customers.platform,
        customers.customer_id
    from quintile_ends
    inner join revenues
        on
            quintile_ends.end_rank > revenues.customers_below
            and quintile_ends.end_rank <= revenues.customers_below + revenues.customers_with_it
    inner join customers
        on revenues.net_revenue = customers.net_revenue
    qualify
        row_number() over (
            partition by quintile_ends.quintile
            order by customers.platform, customers.customer_id
        ) = quintile_ends.end_rank - revenues.customers_below

),

quintile_bounds as (

    select
        {%- for quintile in [1, 2, 3, 4] %}
            max(case when quintile = {{ quintile }} then net_revenue end)
                as end_{{ quintile }}_net_revenue,
            max(case when quintile = {{ quintile }} then platform end)
                as end_{{ quintile }}_platform,
            max(case when quintile = {{ quintile }} then customer_id end)
                as end_{{ quintile }}_customer_id,
        {%- endfor %}
        -- the loop's columns each end with a comma
        count(*) as quintile_end_count
    from quintile_end_customers

),

final as (

    select
        data_end.as_of_date,
        quintile_bounds.*
    from data_end
    cross join quintile_bounds

)

select * from final
