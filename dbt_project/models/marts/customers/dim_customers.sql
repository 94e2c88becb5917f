-- One row per customer (platform + customer_id) with an RFM segment. Recency is counted
-- back from the last day with orders in the data, so an old export is not "all lost".
-- R: days since the last order (<=30: 5, <=90: 4, <=180: 3, <=365: 2, else 1).
-- F: valid orders (1: 1, 2: 2, 3: 3, 4-5: 4, 6+: 5). M: quintile of net revenue (1-5) as
-- ntile(5) over (order by net_revenue, platform, customer_id) numbers them, found from the
-- last customer of each quintile instead of sorting every customer (at ten million order
-- lines that sort, and the final one this model had, were 5 s of its 6).
-- A view: recency and the quintiles move with every new day, so a table would be written
-- again whole on every build (4.4 million customers at ten million order lines: 10 s of a
-- one-day build's 45 in dbt). The publish writes it once, into the dashboards' file.
{{ config(materialized='view') }}

with

customers as (

    select * from {{ ref('int_customer_totals') }}

),

per_customer as (

    select
        platform,
        customer_id,
        first_order_date,
        last_order_date,
        orders,
        net_revenue,
        -- as fct_daily_kpis: NULL when the cost of goods or shipping is unknown
        {{ stored_money('net_revenue - cogs - logistics_cost') }} as gross_profit
    -- the table itself, not the `customers` CTE: DuckDB materialises a CTE read more than
    -- once, and a table written from that copy is written by one thread (4.4 million
    -- customers: 9.4 s against 5 s)
    from {{ ref('int_customer_totals') }}

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

with_recency as (

    select
        per_customer.*,
        data_end.as_of_date,
        {{ dbt.datediff('per_customer.last_order_date', 'data_end.as_of_date', 'day') }}
            as recency_days,
        quintile_bounds.*
    from per_customer
    cross join data_end
    cross join quintile_bounds

),

scored as (

    select
        *,
        case
            when recency_days <= 30 then 5
            when recency_days <= 90 then 4
            when recency_days <= 180 then 3
            when recency_days <= 365 then 2
            else 1
        end as r_score,
        case
            when orders >= 6 then 5
            when orders >= 4 then 4
            when orders = 3 then 3
            when orders = 2 then 2
            else 1
        end as f_score,
        -- after the last customer of quintile q (by net_revenue, platform, customer_id): q + 1
        case
            {%- for quintile in [4, 3, 2, 1] %}
                when
                    net_revenue > end_{{ quintile }}_net_revenue
                    or net_revenue = end_{{ quintile }}_net_revenue and (
                        platform > end_{{ quintile }}_platform
                        or platform = end_{{ quintile }}_platform
                        and customer_id > end_{{ quintile }}_customer_id
                    )
                    then {{ quintile + 1 }}
            {%- endfor %}
            else 1
        end as m_score
    from with_recency

),

segmented as (

    select
        *,
        case
            when r_score >= 4 and f_score >= 4 then 'Champions'
            when r_score >= 3 and f_score >= 3 then 'Loyal'
            when r_score >= 4 and f_score = 1 then 'New'
            when r_score >= 4 and f_score = 2 then 'Promising'
            when r_score = 3 then 'Need attention'
            when f_score >= 3 then 'At risk'
            when r_score = 2 then 'Hibernating'
            else 'Lost'
        end as rfm_segment
    from scored

),

final as (

    select
        platform,
        customer_id,
        first_order_date,
        last_order_date,
        orders,
        net_revenue,
        gross_profit,
        as_of_date,
        recency_days,
        r_score,
        f_score,
        m_score,
        rfm_segment,
        case rfm_segment
            when 'Champions' then '核心客户'
            when 'Loyal' then '忠诚客户'
            when 'New' then '新客户'
            when 'Promising' then '潜力客户'
            when 'Need attention' then '需关注客户'
            when 'At risk' then '流失风险客户'
            when 'Hibernating' then '沉睡客户'
            else '已流失客户'
        end as rfm_segment_zh
    from segmented

)

select * from final
