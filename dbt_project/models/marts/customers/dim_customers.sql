-- One row per customer (platform + customer_id) with an RFM segment, scored against the
-- one row of int_rfm_bounds: the last day with orders in the data and the net revenue
-- quintiles' last customers.
-- R: days since the last order (<=30: 5, <=90: 4, <=180: 3, <=365: 2, else 1).
-- F: valid orders (1: 1, 2: 2, 3: 3, 4-5: 4, 6+: 5). M: quintile of net revenue (1-5) as
-- ntile(5) over (order by net_revenue, platform, customer_id) numbers them.
-- A view: recency and the quintiles move with every new day, so a table would be written
-- again whole on every build (4.4 million customers at ten million order lines). The
-- dashboards' file keeps this view over its own copy of both tables (pipelines/lib/
-- publish.py): its relations name no database, so the view reads the copies there.
{{ config(materialized='view') }}

with

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
    from {{ ref('int_customer_totals').include(database=False) }}

),

bounds as (

    select * from {{ ref('int_rfm_bounds').include(database=False) }}

),

with_recency as (

    select
        per_customer.*,
        {{ dbt.datediff('per_customer.last_order_date', 'bounds.as_of_date', 'day') }}
            as recency_days,
        bounds.*
    from per_customer
    cross join bounds

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
