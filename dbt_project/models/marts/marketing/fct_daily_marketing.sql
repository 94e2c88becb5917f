-- Whole-shop marketing efficiency per day (kpis.md, fct_daily_marketing).
with

ad_spend as (

    select * from {{ ref('int_ad_spend_converted') }}

),

orders as (

    select * from {{ ref('int_orders_attributed') }}

),

sources_present as (

    select * from {{ ref('int_sources_present') }}

),

spend_days as (

    select
        spend_date as marketing_date,
        sum(spend) as ad_spend
    from ad_spend
    group by spend_date

),

order_days as (

    select
        orders.paid_date as marketing_date,
        sum(orders.net_revenue) as net_revenue,
        sum(case when orders.is_first_order then 1 else 0 end) as new_customers,
        sum(
            case
                when orders.attributed_campaign_id is not null then orders.net_revenue else 0
            end
        ) as attributed_revenue
    from orders
    group by orders.paid_date

),

joined as (

    select
        coalesce(spend_days.marketing_date, order_days.marketing_date) as marketing_date,
        -- a day without rows is 0 when the export exists, unknown (NULL) when it never came
        case when sources_present.has_ads then coalesce(spend_days.ad_spend, 0) end as ad_spend,
        case
            when sources_present.has_orders then coalesce(order_days.net_revenue, 0)
        end as net_revenue,
        case
            when sources_present.has_orders then coalesce(order_days.new_customers, 0)
        end as new_customers,
        -- unknown without orders that name their campaign (utm_campaign)
        case
            when sources_present.has_order_campaigns and sources_present.has_ads
                then coalesce(order_days.attributed_revenue, 0)
        end as attributed_revenue
    from spend_days
    full outer join order_days
        on spend_days.marketing_date = order_days.marketing_date
    cross join sources_present

),

final as (

    select
        marketing_date as "date",
        ad_spend,
        net_revenue,
        {{ safe_ratio('net_revenue', 'ad_spend') }} as mer,
        new_customers,
        {{ safe_ratio('ad_spend', 'new_customers') }} as blended_cac,
        attributed_revenue,
        {{ safe_ratio('attributed_revenue', 'ad_spend') }} as roas
    from joined

)

select * from final
order by "date"
